import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { basicAuth, FORM, thirdPartyApp } from '../support/oauth';

/**
 * Delegated callers (src/core/account/account-access.ts), over HTTP: a token issued to a third-party
 * client acts only within its scopes on resources. It never mints or renews an API token, so
 * nothing it holds outlives DELETE /me/grants or DELETE /clients; it never signs the user out
 * everywhere; at /oauth/revoke it reaches only its own client's tokens; a code in flight dies
 * with the consent; and a third-party client introspects only its own tokens.
 * (Red team B findings 2, 4, 6 and 7a: each test failed before the fix.)
 */
const OWNER = { email: 'owner@rt-third.test', password: 'redteam owner passphrase 1' };
const CB = 'https://evil-third.example.test/cb';

const { call, signIn, stack, tokenEndpoint, postForm, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
});
let ownerToken: string;

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const newClient = async (name: string) =>
  (await registerClient(ownerToken, thirdPartyApp(name, CB))).client_id;

/** The owner, in a browser, authorizes `clientId` for `scope` through the consent page. */
const authorize = async (clientId: string, scope: string) => {
  const browser = browserFlow(() => stack().url);
  await browser.signIn(OWNER.email, OWNER.password);
  const { verifier, authorized } = await browser.authorize({
    client_id: clientId,
    redirect_uri: CB,
    state: 's',
    scope,
  });
  let location = authorized.location as string;
  if (location.startsWith('/consent')) {
    location = (await browser.consent(location, 'allow')).answered.location as string;
  }
  const code = new URL(location).searchParams.get('code') as string;
  expect(code).toMatch(/^ac_/);
  return { code, verifier };
};

const exchange = async (clientId: string, code: string, verifier: string) =>
  tokenEndpoint({
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    redirect_uri: CB,
    code_verifier: verifier,
  });

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

describe('third-party clients: delegated callers', () => {
  it('a third-party token with tokens:write can neither mint nor renew an API token, and keeps nothing after DELETE /me/grants and DELETE /clients', async () => {
    const clientId = await newClient('Evil Notes');
    const { code, verifier } = await authorize(clientId, 'tokens:read tokens:write users:read');
    const tokens = await exchange(clientId, code, verifier);
    expect(tokens.status, tokens.text).toBe(200);
    const thirdParty = tokens.body.access_token as string;
    const minted = await call('POST', '/tokens', {
      token: thirdParty,
      json: {
        name: 'backup',
        scopes: ['tokens:read', 'tokens:write', 'users:read'],
        renewable: true,
      },
    });
    expect(minted.status, minted.text).toBe(403);
    expect(minted.body.error.code).toBe('forbidden');
    // Nor extend a token the user made themselves.
    const own = await call('POST', '/tokens', {
      token: ownerToken,
      json: { name: 'mine', scopes: ['tokens:read'], renewable: true },
    });
    expect(own.status, own.text).toBe(201);
    const renewed = await call('POST', `/tokens/${own.body.token_id}/renew`, { token: thirdParty });
    expect(renewed.status, renewed.text).toBe(403);
    // Within its scopes on resources it still acts.
    expect((await call('GET', '/tokens', { token: thirdParty })).status).toBe(200);

    expect((await call('DELETE', `/me/grants/${clientId}`, { token: ownerToken })).status).toBe(
      204,
    );
    expect((await call('DELETE', `/clients/${clientId}`, { token: ownerToken })).status).toBe(204);
    await wait(1500); // past REVOCATION_CACHE_SECONDS
    expect((await call('GET', '/me', { token: thirdParty })).status).toBe(401);
    const refresh = await tokenEndpoint({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.body.refresh_token,
    });
    expect(refresh.status).not.toBe(200);
  });

  it('a code issued before DELETE /me/grants is refused afterwards (invalid_grant)', async () => {
    const clientId = await newClient('Evil Calendar');
    const { code, verifier } = await authorize(clientId, 'users:read');
    // The user revokes the app while its code is in flight (codes live 60 s).
    const revoked = await call('DELETE', `/me/grants/${clientId}`, { token: ownerToken });
    expect(revoked.status, revoked.text).toBe(204);
    const tokens = await exchange(clientId, code, verifier);
    expect(tokens.status, tokens.text).toBe(400);
    expect(tokens.body.error).toBe('invalid_grant');
    // A later Allow that covers the scope works again, through a new code.
    const again = await authorize(clientId, 'users:read');
    expect((await exchange(clientId, again.code, again.verifier)).status).toBe(200);
  });

  it('a profile-only third-party token revokes none of the user’s other tokens and cannot sign them out everywhere', async () => {
    const clientId = await newClient('Evil Profile');
    const { code, verifier } = await authorize(clientId, 'profile');
    const tokens = await exchange(clientId, code, verifier);
    expect(tokens.body.scope).toBe('profile');
    const victimSession = await signIn(OWNER.email, OWNER.password);
    const sat = await call('POST', '/tokens', {
      token: victimSession,
      json: { name: 'ci', scopes: ['tokens:read'] },
    });
    expect(sat.status, sat.text).toBe(201);
    // RFC 7009 with a bearer: 200 as always, but the user's API token and session live on.
    for (const other of [sat.body.token, victimSession]) {
      const r = await call('POST', '/oauth/revoke', {
        token: tokens.body.access_token,
        body: new URLSearchParams({ token: other }).toString(),
        headers: FORM,
      });
      expect(r.status).toBe(200);
    }
    const out = await call('POST', '/auth/sign-out', {
      token: tokens.body.access_token,
      json: { all: true },
    });
    expect(out.status, out.text).toBe(403);
    expect(out.body.error.code).toBe('forbidden');
    await wait(1500);
    expect((await call('GET', '/tokens', { token: sat.body.token })).status).toBe(200);
    expect((await call('GET', '/me', { token: victimSession })).status).toBe(200);
    // What was issued to its own client it may still revoke (an app signing out).
    const own = await call('POST', '/oauth/revoke', {
      token: tokens.body.access_token,
      body: new URLSearchParams({ token: tokens.body.refresh_token }).toString(),
      headers: FORM,
    });
    expect(own.status).toBe(200);
    const refreshed = await tokenEndpoint({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.body.refresh_token,
    });
    expect(refreshed.status).toBe(400);
  });

  it('a third-party confidential client introspects only tokens issued to itself', async () => {
    const created = await registerClient(ownerToken, {
      name: 'Evil Backend',
      redirect_uris: [CB],
      grant_types: ['authorization_code', 'client_credentials'],
      confidential: true,
      first_party: false,
    });
    const asBackend = {
      authorization: basicAuth(created.client_id, created.client_secret as string),
    };
    const asClient = (token: string) => postForm('/oauth/introspect', { token }, asBackend);
    const someoneElses = await signIn(OWNER.email, OWNER.password);
    const answer = await asClient(someoneElses);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ active: false });
    // Its own token (client_credentials) it may still check.
    const ownToken = await tokenEndpoint({ grant_type: 'client_credentials' }, asBackend);
    expect(ownToken.status, ownToken.text).toBe(200);
    const own = await asClient(ownToken.body.access_token);
    expect(own.body).toMatchObject({ active: true, client_id: created.client_id });
  });
});
