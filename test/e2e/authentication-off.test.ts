import { expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

const { stack } = useLocalStack({
  REQUIRE_USER_AUTHENTICATION: '0',
  DEFAULT_OWNER_EMAIL: 'dev-owner@gatehouse.test',
});

it('with REQUIRE_USER_AUTHENTICATION=0, a request without a token acts as the default owner', async () => {
  expect(stack().owner.generatedPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
  const response = await fetch(`${stack().url}/me`);
  expect(response.status).toBe(200);
  const { user } = (await response.json()) as { user: unknown };
  expect(user).toMatchObject({ email: 'dev-owner@gatehouse.test', role: 'owner' });
});

it('still verifies a token that is sent', async () => {
  const response = await fetch(`${stack().url}/me`, {
    headers: { authorization: 'Bearer nonsense' },
  });
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ error: { code: 'token_invalid' } });
});
