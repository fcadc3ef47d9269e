/**
 * Issue 17, faults: the authorizer on Gatehouse's own API (deny-with-reason). When DynamoDB
 * freezes or goes while it decides a token of a session it has not seen, that is no bad
 * token: the refusal carries `unavailable` and the handler answers 503 with Retry-After within
 * 3 s; nothing of the failure is cached, so the same token works once DynamoDB is back. Its
 * real lazy client reaches DynamoDB Local through a TCP proxy that freezes or cuts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useFaultStack } from '../../support/fault-stack';
import { createUserWithPassword, PASSWORD } from '../../support/users';

const stack = useFaultStack();
const { call } = stack;
let login: string;

const signIn = async () => {
  const reply = await call('signIn', 'POST /auth/sign-in', { json: { login, password: PASSWORD } });
  expect(reply.status, reply.body).toBe(200);
  return (reply.json() as { access_token: string }).access_token;
};

beforeAll(async () => {
  login = (await createUserWithPassword(stack.deps, { role: 'owner' })).email;
  // The authorizer has its keys: only the session check of a new session reads DynamoDB.
  expect((await call('account', 'GET /me', { token: await signIn() })).status).toBe(200);
});

describe.each(['hang', 'refuse'] as const)('the authorizer’s DynamoDB: %s', (mode) => {
  it('a new session’s token answers 503 unavailable with Retry-After, then works', async () => {
    const token = await signIn();
    stack.authorizerLink(mode);
    const reply = await call('account', 'GET /me', { token }).finally(() =>
      stack.authorizerLink('pass'),
    );
    expect(reply.status, reply.body).toBe(503);
    expect(reply.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    expect(reply.elapsed).toBeLessThan(3000);
    const again = await call('account', 'GET /me', { token });
    expect(again.status, again.body).toBe(200);
  });
});

it('an API token, while the authorizer’s DynamoDB is gone: 503, then it works', async () => {
  const created = await call('apiTokens', 'POST /tokens', {
    token: await signIn(),
    json: { name: 'faults' },
  });
  expect(created.status, created.body).toBe(201);
  const apiToken = (created.json() as { token: string }).token;
  stack.authorizerLink('refuse');
  const reply = await call('account', 'GET /me', { token: apiToken }).finally(() =>
    stack.authorizerLink('pass'),
  );
  expect(reply.status, reply.body).toBe(503);
  expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
  expect((await call('account', 'GET /me', { token: apiToken })).status).toBe(200);
});
