import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browser, toCallback, useFederationStack } from '../support/federation-stack';

/**
 * Account linking (API.md) for OIDC providers over HTTP against a real OpenID Provider:
 * pending new users, users created ahead by `sub`, linking by a proven email only from a
 * trusted provider's verified email, the takeover of an unproven one, and an admin's account
 * reached only through its password on /link-account.
 */
const OWNER = { email: 'owner@fed-linking.test', password: 'linking owner passphrase' };

const { idp, call, signIn, stack } = await useFederationStack(
  {
    DEFAULT_OWNER_EMAIL: OWNER.email,
    DEFAULT_OWNER_PASSWORD: OWNER.password,
    SIGN_UP_ENABLED: '1',
    REVOCATION_CACHE_SECONDS: '0',
    RATE_LIMIT_PER_IP: '0',
  },
  [
    { id: 'pendingidp', name: 'Pending', new_users: 'pending', trust_email: true },
    { id: 'trusted', name: 'Trusted', trust_email: true },
    { id: 'untrusted', name: 'Untrusted' },
  ],
);

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const login = async (providerId: string, using: Browser = browser()) => {
  const { callback } = await toCallback(stack().url, providerId, 'return_to=%2Flanding', using);
  return { landed: await using.get(callback), browser: using };
};

const hasSession = (cookies: string[]) =>
  cookies.some((c) => c.startsWith('gatehouse_session=') && !/Max-Age=0/.test(c));

const userById = async (id: string) =>
  (await call('GET', `/users/${id}`, { token: ownerToken })).body.user;

const userCount = async () =>
  (await call('GET', '/users?limit=200', { token: ownerToken })).body.users.length as number;

const createUser = async (json: Record<string, unknown>) => {
  const reply = await call('POST', '/users', { token: ownerToken, json });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.user as { id: string };
};

const linkEvents = async (id: string) =>
  (await call('GET', `/audit?action=user.link&target_id=${id}`, { token: ownerToken })).body
    .events as { detail: Record<string, unknown> }[];

describe('new users pending approval', () => {
  it('a first login is created pending (403, no session); once approved, the login works', async () => {
    idp.setUser({ sub: 'sub-waiting', email: 'waiting@idp.test', email_verified: true });
    const first = await login('pendingidp');
    expect(first.landed.status).toBe(403);
    expect(JSON.parse(first.landed.body).error.code).toBe('account_pending');
    expect(hasSession(first.landed.cookies)).toBe(false);

    const pending = (await call('GET', '/users?status=pending', { token: ownerToken })).body.users;
    const waiting = pending.find((u: { email: string }) => u.email === 'waiting@idp.test');
    expect(waiting).toBeDefined();
    const approved = await call('POST', `/users/${waiting.id}/approve`, { token: ownerToken });
    expect(approved.status, approved.text).toBe(200);

    const second = await login('pendingidp');
    expect(second.landed.status, second.landed.body).toBe(302);
    expect(hasSession(second.landed.cookies)).toBe(true);
  });

  it('a user the owner created ahead with the identity is active at once, found by sub', async () => {
    const made = await createUser({
      email: 'precreated@fed-linking.test',
      name: 'Pre Created',
      role: 'editor',
      identities: [{ provider: 'pendingidp', subject: 'sub-precreated' }],
    });
    // The provider's email differs: the sub alone finds the user.
    idp.setUser({ sub: 'sub-precreated', email: 'other-address@idp.test', email_verified: false });
    const { landed } = await login('pendingidp');
    expect(landed.status, landed.body).toBe(302);
    expect(hasSession(landed.cookies)).toBe(true);
    expect(await userById(made.id)).toMatchObject({ status: 'active', role: 'editor' });
  });
});

describe('an existing account with the same email', () => {
  it('is linked when the provider is trusted and the email verified, and the account’s email proven', async () => {
    const made = await createUser({
      email: 'proven@fed-linking.test',
      role: 'viewer',
      password: 'a password the owner set here',
    });
    idp.setUser({ sub: 'sub-proven', email: 'proven@fed-linking.test', email_verified: true });
    const before = await userCount();
    const { landed } = await login('trusted');
    expect(landed.status, landed.body).toBe(302);
    expect(await userCount()).toBe(before);
    expect((await userById(made.id)).identities).toEqual([
      expect.objectContaining({ provider: 'trusted', subject: 'sub-proven' }),
    ]);
    expect((await linkEvents(made.id))[0]?.detail).toMatchObject({
      provider: 'trusted',
      subject: 'sub-proven',
      takeover: false,
    });
  });

  it('is taken over when its email is unproven: its password and sessions die', async () => {
    const email = 'squatted@fed-linking.test';
    const squat = await call('POST', '/auth/sign-up', {
      json: { email, password: 'the squatter chose this one' },
    });
    expect(squat.status, squat.text).toBe(201);
    expect(squat.body.user.email_verified).toBe(false);
    const session = await call('POST', '/auth/sign-in', {
      json: { login: email, password: 'the squatter chose this one' },
    });
    expect(session.status).toBe(200);

    idp.setUser({ sub: 'sub-rightful', email, email_verified: true });
    const { landed } = await login('trusted');
    expect(landed.status, landed.body).toBe(302);

    const again = await call('POST', '/auth/sign-in', {
      json: { login: email, password: 'the squatter chose this one' },
    });
    expect(again.status).toBe(401);
    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: session.body.refresh_token },
    });
    expect(refreshed.status).toBe(401);
    expect(await userById(squat.body.user.id)).toMatchObject({
      email_verified: true,
      identities: [expect.objectContaining({ provider: 'trusted', subject: 'sub-rightful' })],
    });
    expect((await linkEvents(squat.body.user.id))[0]?.detail).toMatchObject({ takeover: true });
  });

  it('is not linked when the provider is not trusted for emails: 409, nothing created', async () => {
    const made = await createUser({ email: 'kept@fed-linking.test', role: 'viewer' });
    const before = await userCount();
    idp.setUser({ sub: 'sub-claimer', email: 'kept@fed-linking.test', email_verified: true });
    const { landed } = await login('untrusted');
    expect(landed.status).toBe(409);
    expect(JSON.parse(landed.body).error.code).toBe('conflict');
    expect(hasSession(landed.cookies)).toBe(false);
    expect(await userCount()).toBe(before);
    expect((await userById(made.id)).identities).toEqual([]);
  });

  it('is not linked by a trusted provider’s unverified email: 409', async () => {
    const made = await createUser({ email: 'unverified@fed-linking.test', role: 'viewer' });
    idp.setUser({
      sub: 'sub-unverified',
      email: 'unverified@fed-linking.test',
      email_verified: false,
    });
    const { landed } = await login('trusted');
    expect(landed.status).toBe(409);
    expect((await userById(made.id)).identities).toEqual([]);
  });

  it('of an admin goes to /link-account, and is linked only with the account’s password', async () => {
    const password = 'the admin password is long';
    const admin = await createUser({ email: 'admin@fed-linking.test', role: 'admin', password });
    idp.setUser({ sub: 'sub-admin', email: 'admin@fed-linking.test', email_verified: true });
    const { landed, browser: using } = await login('trusted');
    expect(landed.status, landed.body).toBe(302);
    expect(landed.location).toBe(`${stack().url}/link-account`);
    expect(hasSession(landed.cookies)).toBe(false);
    expect((await userById(admin.id)).identities).toEqual([]);

    const page = await using.get(`${stack().url}/link-account`);
    expect(page.status, page.body).toBe(200);
    const csrf = /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const wrong = await using.post(`${stack().url}/link-account`, {
      csrf,
      password: 'not it at all',
    });
    expect(wrong.status).toBe(401);
    expect((await userById(admin.id)).identities).toEqual([]);
    const right = await using.post(`${stack().url}/link-account`, { csrf, password });
    expect(right.status, right.body).toBe(302);
    expect(right.location).toBe(`${stack().url}/landing`);
    expect((await userById(admin.id)).identities).toEqual([
      expect.objectContaining({ provider: 'trusted', subject: 'sub-admin' }),
    ]);
  });
});
