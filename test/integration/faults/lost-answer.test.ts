/**
 * Regression (red team 17): an attempt whose write LANDS but whose answer is lost (the 1.5 s
 * attempt timeout, a reset after the commit) must not be retried by the SDK: conditional and
 * counting single-item writes are not idempotent, so the retry met its own first write (a spent
 * code read "used", a counter counted twice). Such a call answers `unavailable` (503) instead,
 * and the write it sent counts once.
 */
import { randomUUID } from 'node:crypto';
import type { HandlerExecutionContext } from '@smithy/types';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { AWS_BUDGET } from '../../../src/store/aws-client-budget';
import { createTables } from '../../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../../src/store/dynamo-client';
import { createDynamoStore } from '../../../src/store/dynamo-store';

const prefix = `lost${randomUUID().slice(0, 8)}`;
const names = { users: `${prefix}-Users`, tokens: `${prefix}-Tokens`, audit: `${prefix}-Audit` };
const client = createDynamoClient({ endpoint: inject('sharedDynamoEndpoint') }, AWS_BUDGET);
let loseNextAnswer = false;
client.middlewareStack.add(
  (next, context: HandlerExecutionContext) => async (args) => {
    const lose = loseNextAnswer && !context.lostAnswerSeen;
    context.lostAnswerSeen = true;
    const result = await next(args); // the write lands
    if (lose) {
      loseNextAnswer = false;
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }); // its answer does not
    }
    return result;
  },
  { step: 'deserialize', priority: 'high', name: 'loseAnswer' },
);
const store = createDynamoStore(createDocumentClient(client), names);

beforeAll(async () => {
  await createTables(createDynamoClient({ endpoint: inject('sharedDynamoEndpoint') }), names);
});
afterAll(() => client.destroy());

it('a spent authorization code whose answer was lost is not read as used', async () => {
  const now = Date.now();
  const hash = randomUUID();
  await store.createAuthorizationCode({
    hash,
    clientId: 'gh_x',
    redirectUri: 'https://app.test/cb',
    codeChallenge: '',
    userId: 'u1',
    createdAt: now,
    expiresAt: now + 60_000,
    usedAt: null,
  } as never);
  loseNextAnswer = true;
  await expect(store.consumeAuthorizationCode(hash, now)).rejects.toMatchObject({
    code: 'unavailable',
  });
  // Spent once, by the attempt whose answer was lost; never read back as "used" by a retry.
  expect((await store.getAuthorizationCode(hash))?.usedAt).toBe(now);
});

it('one hit counts once when its answer was lost', async () => {
  const key = `lost#${randomUUID()}`;
  loseNextAnswer = true;
  await expect(store.countHit(key, Date.now() + 60_000)).rejects.toMatchObject({
    code: 'unavailable',
  });
  expect(await store.countHit(key, Date.now() + 60_000)).toBe(2);
});

it('one failed sign-in attempt counts once when its answer was lost', async () => {
  const at = Date.now();
  const policy = { threshold: 5, baseSeconds: 30, maxSeconds: 900 };
  const key = `lost#${randomUUID()}`;
  const failure = { at, expiresAt: at + 3_600_000, policy, unlessLocked: true };
  loseNextAnswer = true;
  await expect(store.recordLoginFailure(key, failure)).rejects.toMatchObject({
    code: 'unavailable',
  });
  expect((await store.recordLoginFailure(key, failure)).failures).toBe(2);
});
