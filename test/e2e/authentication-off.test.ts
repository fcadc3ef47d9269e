import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../dev/local-stack';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    keysFile: join(mkdtempSync(join(tmpdir(), 'gh-e2e-')), 'keys.json'),
    env: {
      REQUIRE_USER_AUTHENTICATION: '0',
      DEFAULT_OWNER_EMAIL: 'dev-owner@gatehouse.test',
      LOG_LEVEL: 'silent',
    },
  });
});

afterAll(async () => {
  await stack?.stop();
});

it('with REQUIRE_USER_AUTHENTICATION=0, a request without a token acts as the default owner', async () => {
  expect(stack.owner.generatedPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
  const response = await fetch(`${stack.url}/me`);
  expect(response.status).toBe(200);
  const { user } = (await response.json()) as { user: unknown };
  expect(user).toMatchObject({ email: 'dev-owner@gatehouse.test', role: 'owner' });
});

it('still verifies a token that is sent', async () => {
  const response = await fetch(`${stack.url}/me`, {
    headers: { authorization: 'Bearer nonsense' },
  });
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ error: { code: 'token_invalid' } });
});
