import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { thirdPartyApp } from '../support/oauth';

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

const { call, signIn, stack, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
});
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
let ownerToken: string;
let clientId: string;
let aliceId: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  clientId = (await registerClient(ownerToken, thirdPartyApp('Evil Grower', CB))).client_id;
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
    const { verifier, authorized } = await browser.authorize({
      client_id: clientId,
      redirect_uri: CB,
      scope: VIEWER_SCOPES,
    });
    const { answered } = await browser.consent(authorized.location as string, 'allow');
    const code = new URL(answered.location as string).searchParams.get('code') as string;
    const tokens = await tokenEndpoint({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: CB,
      code_verifier: verifier,
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
