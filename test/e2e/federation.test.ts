import { beforeAll, describe, expect, it } from 'vitest';
import { accessTokenForSession, browserSessionUser } from '../../src/core/sessions/sessions';
import { buildDeps } from '../../src/http/composition';
import { type Browser, browser, toCallback, useFederationStack } from '../support/federation-stack';
import { firstPartyApp, pkcePair } from '../support/oauth';

/**
 * OIDC federation over HTTP against a real OpenID Provider (oidc-provider): the redirect
 * flow, account creation, group sync, a changed email, the PKCE hand-off to an app.
 */
const OWNER = { email: 'owner@federation.test', password: 'federation owner passphrase' };
const APP = 'https://app.example.com';

const { idp, call, signIn, stack, tokenEndpoint, registerClient } = await useFederationStack(
  {
    DEFAULT_OWNER_EMAIL: OWNER.email,
    DEFAULT_OWNER_PASSWORD: OWNER.password,
    ALLOWED_REDIRECT_ORIGINS: APP,
    REVOCATION_CACHE_SECONDS: '0',
  },
  [
    {
      id: 'testidp',
      name: 'Test Provider',
      trust_email: true,
      group_mappings: { 'data-admins': 'admin', editors: 'editor' },
    },
  ],
);

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const signInAtProvider = async (returnTo = '/landing', using: Browser = browser()) => {
  const query = `return_to=${encodeURIComponent(returnTo)}`;
  const { callback } = await toCallback(stack().url, 'testidp', query, using);
  return { landed: await using.get(callback), browser: using };
};

/** The user a browser's session cookie names, as GET /me shows it. */
const sessionUser = async (using: Browser) => {
  const deps = buildDeps(process.env);
  const cookie = using.cookie(new URL(stack().url).host, 'gatehouse_session');
  const found = await browserSessionUser(deps, cookie);
  if (!found) throw new Error('no live session');
  const token = await accessTokenForSession(deps, found.user, found.session);
  const me = await call('GET', '/me', { token });
  expect(me.status, me.text).toBe(200);
  return me.body.user;
};

const findUsers = async (email: string) =>
  (await call('GET', `/users?q=${encodeURIComponent(email)}`, { token: ownerToken })).body
    .users as { id: string; email: string; role: string; identities: unknown[] }[];

describe('GET /auth/providers', () => {
  it('lists each provider by id and name, and nothing else', async () => {
    const reply = await call('GET', '/auth/providers');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ providers: [{ id: 'testidp', name: 'Test Provider' }] });
  });
});

describe('GET /auth/federated/{id}', () => {
  it('redirects to the provider with state, nonce and PKCE S256, binding the flow to an HttpOnly cookie', async () => {
    const using = browser();
    const start = await using.get(`${stack().url}/auth/federated/testidp?return_to=%2Fhome`);
    expect(start.status, start.body).toBe(302);
    const target = new URL(start.location as string);
    expect(`${target.origin}${target.pathname}`).toBe(`${idp.issuer}/auth`);
    const params = target.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('gatehouse-test');
    expect(params.get('redirect_uri')).toBe(`${stack().url}/auth/federated/testidp/callback`);
    expect(params.get('state')).toMatch(/^[\w-]{32,}$/);
    expect(params.get('nonce')).toMatch(/^[\w-]{32,}$/);
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('scope')).toBe('openid email profile groups');
    const cookie = start.cookies.find((c) => c.startsWith('gatehouse_federation='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/auth\/federated;/);
    expect(cookie).toMatch(/Max-Age=600/);
    // The browser holds a handle only: no state, nonce or verifier.
    const handle = using.cookie(new URL(stack().url).host, 'gatehouse_federation') as string;
    expect(handle).toMatch(/^gff_[\w-]{43}$/);
    expect(handle).not.toContain(params.get('state'));
  });

  it('is 404 for an unknown provider', async () => {
    const reply = await call('GET', '/auth/federated/nope?return_to=%2F');
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('not_found');
  });

  it('refuses a return_to on a foreign origin with 400, before going anywhere', async () => {
    for (const returnTo of [
      'https://evil.example.com/',
      '//evil.example.com',
      '/\\evil.example.com',
    ]) {
      const reply = await call(
        'GET',
        `/auth/federated/testidp?return_to=${encodeURIComponent(returnTo)}`,
      );
      expect(reply.status, returnTo).toBe(400);
      expect(reply.body.error.code).toBe('record_invalid');
      expect(reply.headers.get('set-cookie')).toBeNull();
    }
  });
});

describe('the callback', () => {
  it('creates an active account on a first login, with the identity, name and attributes', async () => {
    idp.setUser({
      sub: 'sub-first',
      email: 'first@idp.test',
      email_verified: true,
      name: 'First Person',
      department: 'Physics',
    });
    const { landed, browser: using } = await signInAtProvider('/landing?x=1');
    expect(landed.status, landed.body).toBe(302);
    expect(landed.location).toBe(`${stack().url}/landing?x=1`);
    const session = landed.cookies.find((c) => c.startsWith('gatehouse_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(landed.cookies.some((c) => /^gatehouse_federation=;.*Max-Age=0/.test(c))).toBe(true);

    const me = await sessionUser(using);
    expect(me).toMatchObject({
      email: 'first@idp.test',
      email_verified: true,
      name: 'First Person',
      role: 'viewer',
      status: 'active',
      attributes: { department: 'Physics' },
    });
    const user = (await call('GET', `/users/${me.id}`, { token: ownerToken })).body.user;
    expect(user.identities).toEqual([
      { provider: 'testidp', subject: 'sub-first', linked_at: expect.any(String) },
    ]);
    const audit = await call('GET', `/audit?target_id=${me.id}`, { token: ownerToken });
    const actions = (audit.body.events as { action: string; detail: unknown }[]).map(
      (e) => e.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['sso.account_create', 'auth.sign_in']));
    const signInEvent = audit.body.events.find(
      (e: { action: string }) => e.action === 'auth.sign_in',
    );
    expect(signInEvent.detail).toMatchObject({ method: 'oidc', provider: 'testidp' });
  });

  it('finds the same user by sub on the next login, whatever the email now says', async () => {
    idp.setUser({ sub: 'sub-mover', email: 'mover@idp.test', email_verified: true });
    const first = await signInAtProvider();
    const id = (await sessionUser(first.browser)).id;

    // A new address that is free: the account follows it.
    idp.setUser({ sub: 'sub-mover', email: 'moved@idp.test', email_verified: true });
    const second = await signInAtProvider();
    expect(second.landed.status, second.landed.body).toBe(302);
    expect(await sessionUser(second.browser)).toMatchObject({ id, email: 'moved@idp.test' });

    // A new address someone else holds: still the same user, keeping its own email.
    idp.setUser({ sub: 'sub-mover', email: OWNER.email, email_verified: true });
    const third = await signInAtProvider();
    expect(third.landed.status, third.landed.body).toBe(302);
    expect(await sessionUser(third.browser)).toMatchObject({ id, email: 'moved@idp.test' });
    expect(await findUsers('mover@idp.test')).toHaveLength(0);
  });

  it('raises and lowers the role from the groups claim through group_mappings', async () => {
    const person = { sub: 'sub-groups', email: 'groups@idp.test', email_verified: true };
    idp.setUser({ ...person, groups: ['editors', 'ml'] });
    const first = await signInAtProvider();
    expect(await sessionUser(first.browser)).toMatchObject({
      role: 'editor',
      groups: ['editors', 'ml'],
    });

    idp.setUser({ ...person, groups: ['data-admins'] });
    const raised = await signInAtProvider();
    expect(await sessionUser(raised.browser)).toMatchObject({
      role: 'admin',
      groups: ['data-admins'],
    });
    // A raise ends the account's other sessions: the first browser's session is dead.
    const deps = buildDeps(process.env);
    const oldCookie = first.browser.cookie(new URL(stack().url).host, 'gatehouse_session');
    expect(await browserSessionUser(deps, oldCookie)).toBeNull();

    idp.setUser({ ...person, groups: [] });
    const lowered = await signInAtProvider();
    expect(await sessionUser(lowered.browser)).toMatchObject({ role: 'viewer', groups: [] });
    const id = (await findUsers('groups@idp.test'))[0]?.id;
    const audit = await call('GET', `/audit?target_id=${id}&action=sso.role_change`, {
      token: ownerToken,
    });
    // Created as an editor; then raised to admin and lowered to viewer.
    expect(audit.body.events).toHaveLength(2);
  });

  it('hands a first-party app a code that /oauth/token accepts (PKCE hand-off)', async () => {
    const returnTo = `${APP}/callback`;
    const app = await registerClient(ownerToken, firstPartyApp('Federated SPA', returnTo));
    const { verifier, challenge } = pkcePair();
    idp.setUser({ sub: 'sub-spa', email: 'spa@idp.test', email_verified: true });
    const using = browser();
    const query = `return_to=${encodeURIComponent(returnTo)}&code_challenge=${challenge}&code_challenge_method=S256&client_id=${app.client_id}`;
    const { callback } = await toCallback(stack().url, 'testidp', query, using);
    const landed = await using.get(callback);
    expect(landed.status, landed.body).toBe(302);
    const location = new URL(landed.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(returnTo);
    const code = location.searchParams.get('code') as string;
    expect(code).toBeTruthy();
    const tokens = await tokenEndpoint({
      grant_type: 'authorization_code',
      code,
      redirect_uri: returnTo,
      client_id: app.client_id,
      code_verifier: verifier,
    });
    expect(tokens.status, tokens.text).toBe(200);
    const me = await call('GET', '/me', { token: tokens.body.access_token });
    expect(me.body.user.email).toBe('spa@idp.test');
  });

  it('refuses a hand-off to a return_to the app does not register (400), before the provider', async () => {
    const app = await registerClient(ownerToken, firstPartyApp('Other SPA', `${APP}/registered`));
    const { challenge } = pkcePair();
    const reply = await call(
      'GET',
      `/auth/federated/testidp?return_to=${encodeURIComponent(`${APP}/elsewhere`)}&code_challenge=${challenge}&code_challenge_method=S256&client_id=${app.client_id}`,
    );
    expect(reply.status).toBe(400);
  });
});
