import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { thirdPartyApp } from '../support/oauth';

/**
 * Finding 7 over HTTP: a third-party client gets `profile` unless the user allows more on the
 * consent page, a refresh never widens, grants are listed and withdrawn, and a third-party
 * token cannot change the account.
 */
const OWNER = { email: 'owner@consent.test', password: 'consent owner passphrase 1' };
const CB = 'https://third.example.test/cb';

const { call, signIn, stack, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
});
let ownerToken: string;
let clientId: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  clientId = (await registerClient(ownerToken, thirdPartyApp('Third App', CB))).client_id;
});

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString());

/** The owner, signed in on the hosted page, starts the code flow with `extra` parameters. */
const startFlow = async (extra: Record<string, string>) => {
  const browser = browserFlow(() => stack().url);
  await browser.signIn(OWNER.email, OWNER.password);
  const { verifier, authorized } = await browser.authorize({
    client_id: clientId,
    redirect_uri: CB,
    state: 'st-42',
    ...extra,
  });
  return { browser, verifier, authorized };
};

/** Through the consent page with `decision`; answers where the browser lands and the page. */
const answerConsent = async (
  flow: Awaited<ReturnType<typeof startFlow>>,
  decision: 'allow' | 'deny',
) => {
  expect(flow.authorized.location).toMatch(/^\/consent\?request=/);
  const { page, answered } = await flow.browser.consent(
    flow.authorized.location as string,
    decision,
  );
  expect(page.status).toBe(200);
  expect(answered.status).toBe(303);
  return { landed: new URL(answered.location as string), page: page.text };
};

const exchange = async (code: string, verifier: string) => {
  const reply = await tokenEndpoint({
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    redirect_uri: CB,
    code_verifier: verifier,
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.body as { access_token: string; refresh_token: string; scope: string };
};

describe('OAuth consent and scope (third-party client)', () => {
  it('without scope: the consent page, then only profile; the token cannot change the account', async () => {
    const flow = await startFlow({});
    const { landed, page } = await answerConsent(flow, 'allow');
    expect(page).toContain('Third App');
    expect(page).toContain('See your name and username');
    expect(landed.origin + landed.pathname).toBe(CB);
    expect(landed.searchParams.get('state')).toBe('st-42');
    const tokens = await exchange(landed.searchParams.get('code') as string, flow.verifier);
    expect(tokens.scope).toBe('profile');
    expect(claims(tokens.access_token).scope).toBe('profile');
    // The owner's grants stay with the owner.
    const users = await call('GET', '/users', { token: tokens.access_token });
    expect(users.status).toBe(403);
    expect((await call('GET', '/me', { token: tokens.access_token })).status).toBe(200);
    const patch = await call('PATCH', '/me', {
      token: tokens.access_token,
      json: { name: 'Pwned' },
    });
    expect(patch.status, patch.text).toBe(403);
    expect(patch.body.error.code).toBe('forbidden');
    const grants = await call('GET', '/me/grants', { token: tokens.access_token });
    expect(grants.status).toBe(403);
    // Within the remembered set: no page the second time.
    const again = await startFlow({});
    expect(again.authorized.location).toMatch(/^https:\/\/third\.example\.test\/cb\?code=/);
  });

  it('with scope=users:write: the page names it, Allow gives it, and a refresh never widens', async () => {
    const flow = await startFlow({ scope: 'users:write' });
    const { landed, page } = await answerConsent(flow, 'allow');
    expect(page).toContain('Create, change and delete user accounts');
    const tokens = await exchange(landed.searchParams.get('code') as string, flow.verifier);
    expect(tokens.scope).toBe('users:write');
    expect(claims(tokens.access_token).scope).toBe('users:write');
    const wider = await tokenEndpoint({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.refresh_token,
      scope: 'users:write clients:write',
    });
    expect(wider.status, wider.text).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    // The refused refresh spent nothing: the same token still narrows, then keeps the grant.
    const narrow = await tokenEndpoint({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.refresh_token,
      scope: 'users:write',
    });
    expect(narrow.status, narrow.text).toBe(200);
    expect(narrow.body.scope).toBe('users:write');
    const plain = await tokenEndpoint({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: narrow.body.refresh_token,
    });
    expect(plain.body.scope).toBe('users:write');
    const introspected = await call('POST', '/oauth/introspect', {
      token: ownerToken,
      body: new URLSearchParams({ token: plain.body.access_token }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(introspected.body.scope).toBe('users:write');
  });

  it('answers a scope the user does not hold with invalid_scope, and Deny with access_denied', async () => {
    const beyond = await startFlow({ scope: 'no:such' });
    const refused = new URL(beyond.authorized.location as string);
    expect(refused.searchParams.get('error')).toBe('invalid_scope');
    expect(refused.searchParams.get('state')).toBe('st-42');
    const flow = await startFlow({ scope: 'profile', prompt: 'consent' });
    const { landed } = await answerConsent(flow, 'deny');
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('state')).toBe('st-42');
  });

  it('narrows the password grant of a first-party client to the scope asked, never beyond', async () => {
    const created = await registerClient(ownerToken, {
      name: 'First CLI',
      grant_types: ['password', 'refresh_token'],
      confidential: true,
      first_party: true,
    });
    const auth = {
      client_id: created.client_id,
      client_secret: created.client_secret as string,
    };
    const login = { grant_type: 'password', username: OWNER.email, password: OWNER.password };
    const asked = await tokenEndpoint({ ...login, ...auth, scope: 'openid users:read' });
    expect(asked.status, asked.text).toBe(200);
    expect(asked.body.scope).toBe('openid users:read');
    // A first-party client's token may change the account.
    const patched = await call('PATCH', '/me', {
      token: asked.body.access_token,
      json: { name: 'Owner' },
    });
    expect(patched.status, patched.text).toBe(200);
    const refreshIntrospected = await call('POST', '/oauth/introspect', {
      token: ownerToken,
      body: new URLSearchParams({ token: asked.body.refresh_token }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refreshIntrospected.body.scope).toBe('openid users:read');
    const unknown = await tokenEndpoint({ ...login, ...auth, scope: 'openid no:such' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_scope');
    // First-party without scope: the role's grants, as before.
    const all = await tokenEndpoint({ ...login, ...auth });
    expect(all.body.scope.split(' ')).toContain('clients:write');
  });

  it('lets a confidential client skip PKCE; its code then takes no code_verifier', async () => {
    const created = await registerClient(ownerToken, {
      name: 'Server App',
      redirect_uris: ['https://server.example.test/cb'],
      grant_types: ['authorization_code'],
      confidential: true,
      first_party: true,
    });
    const browser = browserFlow(() => stack().url);
    await browser.signIn(OWNER.email, OWNER.password);
    const codeFor = async () => {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: created.client_id,
        redirect_uri: 'https://server.example.test/cb',
        state: 's',
      });
      const landed = await browser.request('GET', `/oauth/authorize?${query}`);
      return new URL(landed.location as string).searchParams.get('code') as string;
    };
    const exchangeAs = (code: string, extra: Record<string, string> = {}) =>
      tokenEndpoint({
        grant_type: 'authorization_code',
        client_id: created.client_id,
        client_secret: created.client_secret as string,
        code,
        redirect_uri: 'https://server.example.test/cb',
        ...extra,
      });
    const plain = await exchangeAs(await codeFor());
    expect(plain.status, plain.text).toBe(200);
    const downgraded = await exchangeAs(await codeFor(), {
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(downgraded.status).toBe(400);
    expect(downgraded.body.error).toBe('invalid_grant');
  });

  it('lists the grants at GET /me/grants and DELETE ends the client’s sessions', async () => {
    const flow = await startFlow({ scope: 'openid profile', prompt: 'consent' });
    const { landed } = await answerConsent(flow, 'allow');
    const tokens = await exchange(landed.searchParams.get('code') as string, flow.verifier);
    const listed = await call('GET', '/me/grants', { token: ownerToken });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.grants).toEqual([
      {
        client_id: clientId,
        client_name: 'Third App',
        scopes: expect.arrayContaining(['openid', 'profile', 'users:write']),
        granted_at: expect.any(String),
      },
    ]);
    const apiToken = await call('POST', '/tokens', { token: ownerToken, json: { name: 'x' } });
    const byApiToken = await call('DELETE', `/me/grants/${clientId}`, {
      token: apiToken.body.token,
    });
    expect(byApiToken.status).toBe(403);
    expect((await call('DELETE', `/me/grants/${clientId}`, { token: ownerToken })).status).toBe(
      204,
    );
    expect((await call('GET', '/me/grants', { token: ownerToken })).body.grants).toEqual([]);
    const refreshed = await tokenEndpoint({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    const missing = await call('DELETE', `/me/grants/${clientId}`, { token: ownerToken });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const audit = await call('GET', '/audit?action=consent.revoke', { token: ownerToken });
    expect(audit.body.events).toHaveLength(1);
    // Asked again after the withdrawal.
    expect((await startFlow({})).authorized.location).toMatch(/^\/consent\?request=/);
  });
});
