import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';

/**
 * Finding 1 of red team B, fixed: a third-party app that a viewer allowed every viewer scope
 * cannot mint an API token at all (an unscoped one would carry the person's grants at each
 * use and grow with a promotion; any would outlive the consent). Minting is for a session
 * without a client, a first-party client's session, or an API token within its own scopes.
 */
const OWNER = { email: 'owner@rt-grow.test', password: 'redteam grow owner passphrase 1' };
const ALICE = { email: 'alice@rt-grow.test', password: 'redteam grow alice passphrase 1' };
const CB = 'https://evil-grow.example.test/cb';
const VIEWER_SCOPES =
  'profile tokens:read tokens:write read_user_session read_all_session model_download cli';

const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
});
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
let ownerToken: string;
let clientId: string;
let aliceId: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  const created = await call('POST', '/clients', {
    token: ownerToken,
    json: {
      name: 'Evil Grower',
      redirect_uris: [CB],
      grant_types: ['authorization_code', 'refresh_token'],
      confidential: false,
      first_party: false,
    },
  });
  expect(created.status, created.text).toBe(201);
  clientId = created.body.client_id;
  const alice = await call('POST', '/users', {
    token: ownerToken,
    json: { email: ALICE.email, password: ALICE.password, role: 'viewer', type: 'human' },
  });
  expect(alice.status, alice.text).toBe(201);
  aliceId = alice.body.user.id;
});

describe('minting API tokens: never through a delegated credential', () => {
  it('an app allowed every viewer scope gets 403 on POST /tokens, scoped or not, so a promotion gives it nothing', async () => {
    const browser = browserFlow(() => stack().url);
    await browser.signIn(ALICE.email, ALICE.password);
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CB,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      scope: VIEWER_SCOPES,
    });
    const authorized = await browser.request('GET', `/oauth/authorize?${query}`);
    const page = await browser.request('GET', authorized.location as string);
    const answered = await browser.request('POST', '/consent', {
      csrf: browser.hidden(page.text, 'csrf'),
      request: browser.hidden(page.text, 'request'),
      decision: 'allow',
    });
    const code = new URL(answered.location as string).searchParams.get('code') as string;
    const tokens = await call('POST', '/oauth/token', {
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: CB,
        code_verifier: verifier,
      }).toString(),
      headers: form,
    });
    expect(tokens.status, tokens.text).toBe(200);
    const app = tokens.body.access_token as string;
    for (const json of [{ name: 'sync' }, { name: 'sync', scopes: ['tokens:read'] }]) {
      const minted = await call('POST', '/tokens', { token: app, json });
      expect(minted.status, minted.text).toBe(403);
      expect(minted.body.error.code).toBe('forbidden');
    }
    const listed = await call('GET', '/tokens', { token: app });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.tokens).toEqual([]);

    // The owner makes Alice an admin: the app's session ends and it holds nothing else.
    const raised = await call('PATCH', `/users/${aliceId}`, {
      token: ownerToken,
      json: { role: 'admin' },
    });
    expect(raised.status, raised.text).toBe(200);
    await wait(1500);
    expect((await call('GET', '/me', { token: app })).status).toBe(401);
  });

  it('Alice’s own API token still mints tokens within its scopes, and no wider', async () => {
    const own = await signIn(ALICE.email, ALICE.password);
    const parent = await call('POST', '/tokens', {
      token: own,
      json: { name: 'parent', scopes: ['tokens:read', 'tokens:write'] },
    });
    expect(parent.status, parent.text).toBe(201);
    const child = await call('POST', '/tokens', {
      token: parent.body.token,
      json: { name: 'child', scopes: ['tokens:read'] },
    });
    expect(child.status, child.text).toBe(201);
    const wider = await call('POST', '/tokens', {
      token: parent.body.token,
      json: { name: 'wider', scopes: ['users:read'] },
    });
    expect(wider.status, wider.text).toBe(403);
    const unscoped = await call('POST', '/tokens', {
      token: parent.body.token,
      json: { name: 'unscoped' },
    });
    expect(unscoped.status, unscoped.text).toBe(403);
  });
});
