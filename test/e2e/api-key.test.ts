import { beforeAll, describe, expect, it } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import { createClient, deleteClient } from '../../src/core/oauth/clients';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';

/** REQUIRE_API_KEY=1: every call but discovery names its app with a client id in x-api-key. */
const OWNER = { email: 'owner@api-key.test', password: 'api key owner passphrase' };

const { call } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REQUIRE_API_KEY: '1',
  REVOCATION_CACHE_SECONDS: '1',
});

const operator = { kind: 'operator', name: 'test' } as const;
let key: string;
let ownerToken: string;

const signIn = (headers: Record<string, string>) =>
  call('POST', '/auth/sign-in', {
    json: { login: OWNER.email, password: OWNER.password },
    headers,
  });

beforeAll(async () => {
  // With keys required, the first client comes from the operator (`gatehouse clients create`).
  const app = await createClient(
    buildDeps(process.env),
    operator,
    { name: 'web app', grant_types: ['refresh_token'], confidential: false },
    noRequest,
  );
  key = app.client_id;
  const reply = await signIn({ 'x-api-key': key });
  expect(reply.status, reply.text).toBe(200);
  ownerToken = reply.body.access_token;
});

const refused = {
  status: 403,
  body: { error: { code: 'api_key_invalid', message: expect.stringContaining('x-api-key') } },
};

describe('REQUIRE_API_KEY=1', () => {
  it('refuses a call without a known key, before anything else', async () => {
    expect(await signIn({})).toMatchObject(refused);
    expect(await signIn({ 'x-api-key': 'gh_AAAAAAAAAAAAAAAAAAAAAAAA' })).toMatchObject(refused);
    expect(await signIn({ 'x-api-key': 'not a key' })).toMatchObject(refused);
    expect(await call('GET', '/me', { token: ownerToken })).toMatchObject(refused);
    expect(await call('GET', '/users', { token: ownerToken })).toMatchObject(refused);
  });

  it('serves a call with a known key', async () => {
    const me = await call('GET', '/me', { token: ownerToken, headers: { 'x-api-key': key } });
    expect(me.status, me.text).toBe(200);
  });

  it('leaves discovery open: JWT libraries fetch the keys with no app key', async () => {
    expect((await call('GET', '/.well-known/jwks.json')).status).toBe(200);
    expect((await call('GET', '/.well-known/openid-configuration')).status).toBe(200);
  });

  it('answers /oauth/* in the RFC shape with the contract status', async () => {
    const reply = await call('POST', '/oauth/token', {
      body: 'grant_type=refresh_token&refresh_token=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toBe('invalid_client');
  });

  it('guards the example protected API too', async () => {
    const headers = { 'x-api-key': key };
    expect((await call('GET', '/example/sessions', { token: ownerToken })).status).toBe(401);
    const unknown = { 'x-api-key': 'gh_BBBBBBBBBBBBBBBBBBBBBBBB' };
    expect(
      (await call('GET', '/example/sessions', { token: ownerToken, headers: unknown })).status,
    ).toBe(403);
    expect((await call('GET', '/example/sessions', { token: ownerToken, headers })).status).toBe(
      200,
    );
  });

  it('stops taking a deleted client’s key within REVOCATION_CACHE_SECONDS', async () => {
    const deps = buildDeps(process.env);
    const doomed = await createClient(
      deps,
      operator,
      { name: 'doomed', grant_types: ['refresh_token'], confidential: false },
      noRequest,
    );
    const headers = { 'x-api-key': doomed.client_id };
    expect((await call('GET', '/me', { token: ownerToken, headers })).status).toBe(200);
    await deleteClient(deps, operator, doomed.client_id, noRequest);
    await new Promise((wait) => setTimeout(wait, 1100));
    expect(await call('GET', '/me', { token: ownerToken, headers })).toMatchObject(refused);
  });
});
