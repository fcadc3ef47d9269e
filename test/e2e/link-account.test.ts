import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { firstPartyApp, pkcePair } from '../support/oauth';
import { ssoCodeStart, useSsoStack } from '../support/sso-stack';
import type { Identity } from '../support/test-idp';

/**
 * API.md, Account linking, over HTTP on DynamoDB Local: an SSO login naming an owner account
 * by its proven email is not linked by email alone (it was a 409 before): the browser lands on
 * the hosted `/link-account`, which links the identity only with the account's password.
 * Invariant: no IdP identity is linked to an admin or owner account without its password.
 */
const OWNER = { email: 'owner@broker.test', password: 'broker owner passphrase' };

const APP = 'https://app.example.com';

const { idp, call, signIn, stack, tokenEndpoint, registerClient } = await useSsoStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  ALLOWED_REDIRECT_ORIGINS: APP,
  SSO_GROUP_SYNC: '1',
  SSO_GROUP_MAPPINGS: JSON.stringify({ 'corp-owners': 'owner' }),
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});

let ownerToken: string;
let ownerId: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  ownerId = (await call('GET', '/me', { token: ownerToken })).body.user.id;
});

const ownerNow = async () =>
  (await call('GET', `/users/${ownerId}`, { token: ownerToken })).body.user;

/** A browser coming back from the provider as `identity`. */
const ssoBrowser = async (identity: Identity) => {
  const browser = browserFlow(() => stack().url);
  const jwt = idp.signLikeMetabase(identity);
  const landed = await browser.request(
    'GET',
    `/auth/sso?jwt=${encodeURIComponent(jwt)}&return_to=%2Flanding`,
  );
  return { browser, landed };
};

describe('first SSO login to an owner account by email: the hosted link page', () => {
  it('lands on /link-account, refuses a wrong password, links with the right one; the next login goes straight in', async () => {
    const usersBefore = (await call('GET', '/users?limit=200', { token: ownerToken })).body.users
      .length;
    const { browser, landed } = await ssoBrowser({ email: OWNER.email, groups: ['corp-owners'] });
    expect(landed.status, landed.text).toBe(302);
    expect(landed.location).toBe('/link-account');
    expect((await ownerNow()).identities).toEqual([]);

    const shown = await browser.request('GET', '/link-account');
    expect(shown.status, shown.text).toBe(200);
    expect(shown.text).toContain(OWNER.email);
    const csrf = browser.hidden(shown.text, 'csrf');

    // No CSRF token: refused before anything is read.
    const forged = await browser.request('POST', '/link-account', { password: OWNER.password });
    expect(forged.status).toBe(403);

    const wrong = await browser.request('POST', '/link-account', {
      csrf,
      password: 'not the owner password',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('The password is incorrect.');
    expect((await ownerNow()).identities).toEqual([]);

    const right = await browser.request('POST', '/link-account', {
      csrf,
      password: OWNER.password,
    });
    expect(right.status, right.text).toBe(302);
    expect(right.location).toBe('/landing');
    const console = await browser.request('GET', '/console');
    expect(console.status).toBe(200);
    expect(console.text).toContain(OWNER.email);
    expect((await ownerNow()).identities).toEqual([
      expect.objectContaining({ provider: 'jwt', subject: OWNER.email }),
    ]);
    const audit = await call('GET', '/audit?action=user.link', { token: ownerToken });
    expect(audit.body.events?.[0]).toMatchObject({
      target_id: ownerId,
      detail: { takeover: false },
    });

    // Posting again links nothing: the pending link is spent.
    const again = await browser.request('POST', '/link-account', {
      csrf,
      password: OWNER.password,
    });
    expect(again.status).toBe(400);

    // A new SSO token: the test provider's (Metabase-style, no jti) differ only by their iat
    // second, and the same token twice is a replay.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const next = await ssoBrowser({ email: OWNER.email, groups: ['corp-owners'] });
    expect(next.landed.status).toBe(302);
    expect(next.landed.location).toBe('/landing');
    expect((await next.browser.request('GET', '/console')).status).toBe(200);
    const usersAfter = (await call('GET', '/users?limit=200', { token: ownerToken })).body.users
      .length;
    expect(usersAfter).toBe(usersBefore);
  });

  it('a stale or copied link cookie links nothing, and Cancel drops the link', async () => {
    const admin = { email: 'admin@broker.test', password: 'broker admin passphrase' };
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { ...admin, role: 'admin' },
    });
    expect(made.status, made.text).toBe(201);
    const identities = async () =>
      (await call('GET', `/users/${made.body.user.id}`, { token: ownerToken })).body.user
        .identities;
    // A browser by hand: its own CSRF cookie and whatever link cookie it holds.
    const csrf = randomBytes(32).toString('base64url');
    const send = async (method: 'GET' | 'POST', link: string, form?: Record<string, string>) => {
      const reply = await fetch(`${stack().url}/link-account`, {
        method,
        redirect: 'manual',
        headers: {
          cookie: `gatehouse_csrf=${csrf}; gatehouse_link=${link}`,
          ...(form
            ? { 'content-type': 'application/x-www-form-urlencoded', origin: stack().url }
            : {}),
        },
        ...(form ? { body: new URLSearchParams({ csrf, ...form }).toString() } : {}),
      });
      const next = /gatehouse_link=([^;]*)/.exec(reply.headers.getSetCookie().join('\n'))?.[1];
      return { status: reply.status, location: reply.headers.get('location'), next };
    };
    const jwt = idp.signLikeMetabase({ email: admin.email });
    const first = await fetch(
      `${stack().url}/auth/sso?jwt=${encodeURIComponent(jwt)}&return_to=%2F`,
      { redirect: 'manual' },
    );
    expect(first.headers.get('location')).toBe('/link-account');
    const setCookie = first.headers.getSetCookie().find((c) => c.startsWith('gatehouse_link='));
    expect(setCookie).toMatch(/Path=\/link-account; Max-Age=600; HttpOnly; SameSite=Lax/);
    const secret = /gatehouse_link=([^;]+)/.exec(setCookie ?? '')?.[1] as string;

    // A browser without the secret, or with a made-up one: nothing to link.
    const madeUp = `glk_${randomBytes(32).toString('base64url')}`;
    expect((await send('POST', madeUp, { password: admin.password })).status).toBe(400);
    const viewed = await send('GET', secret);
    expect(viewed.status).toBe(200);
    expect(viewed.next).toMatch(/^glk_/);
    // The secret the first leg set was spent by the view: copied elsewhere, it links nothing.
    expect((await send('POST', secret, { password: admin.password })).status).toBe(400);
    expect(await identities()).toEqual([]);

    const cancelled = await send('POST', viewed.next as string, { cancel: '1' });
    expect(cancelled.status).toBe(303);
    expect(cancelled.location).toBe('/sign-in?notice=link_cancelled');
    const after = await send('POST', viewed.next as string, { password: admin.password });
    expect(after.status).toBe(400);
    expect(await identities()).toEqual([]);
  });

  it('a JWKS (ES256) login with a PKCE flow: after the password, the SPA gets its one-time code', async () => {
    const admin = { email: 'lead@broker.test', password: 'broker lead passphrase' };
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { ...admin, role: 'admin' },
    });
    expect(made.status, made.text).toBe(201);
    const spa = await registerClient(ownerToken, {
      ...firstPartyApp('spa', `${APP}/callback`),
      grant_types: ['authorization_code'],
    });
    const { verifier, challenge } = pkcePair();
    const browser = browserFlow(() => stack().url);
    const start = await browser.request(
      'GET',
      ssoCodeStart(`${APP}/callback`, challenge, spa.client_id),
    );
    expect(start.status, start.text).toBe(302);
    const token = await idp.signWithKey('ES256', {
      email: admin.email,
      // A JWKS provider vouches for an email only when it says so.
      email_verified: true,
      sub: 'lead-at-idp',
      exp: Math.round(Date.now() / 1000) + 300,
    });
    const landed = await browser.request(
      'GET',
      `/auth/sso?jwt=${encodeURIComponent(token)}&return_to=${encodeURIComponent(`${APP}/callback`)}`,
    );
    expect(landed.status, landed.text).toBe(302);
    expect(landed.location).toBe('/link-account');
    const shown = await browser.request('GET', '/link-account');
    expect(shown.text).toContain(admin.email);
    const linked = await browser.request('POST', '/link-account', {
      csrf: browser.hidden(shown.text, 'csrf'),
      password: admin.password,
    });
    expect(linked.status, linked.text).toBe(302);
    const back = new URL(linked.location as string);
    expect(`${back.origin}${back.pathname}`).toBe(`${APP}/callback`);
    const code = back.searchParams.get('code') as string;
    expect(code).toMatch(/^ac_/);
    const tokens = await tokenEndpoint({
      grant_type: 'authorization_code',
      code,
      client_id: spa.client_id,
      redirect_uri: `${APP}/callback`,
      code_verifier: verifier,
    });
    expect(tokens.status, tokens.text).toBe(200);
    const user = (await call('GET', `/users/${made.body.user.id}`, { token: ownerToken })).body
      .user;
    expect(user.identities).toEqual([
      expect.objectContaining({ provider: expect.stringMatching(/^jwt:/), subject: 'lead-at-idp' }),
    ]);
  });
});
