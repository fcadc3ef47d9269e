import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { type Identity, SSO_SECRET, startTestIdp } from '../support/test-idp';

/**
 * Issue 11, findings 1 and 2, over HTTP on DynamoDB Local: before account linking, a
 * sign-up's password or an admin's reset became an owner's credential at the IdP owner's
 * first SSO login. Invariant: no credential a non-owner made ever carries a role that an
 * owner or a group mapping gave someone else.
 */
const OWNER = { email: 'owner@linking.test', password: 'linking owner passphrase' };

const idp = await startTestIdp();
afterAll(() => idp.close());

const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  SIGN_UP_ENABLED: '1',
  SSO_JWT_SECRET: SSO_SECRET,
  SSO_GROUP_SYNC: '1',
  SSO_GROUP_MAPPINGS: JSON.stringify({ 'corp-owners': 'owner' }),
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

/** The provider's callback, as the browser follows it. */
const ssoLogin = async (identity: Identity) => {
  const jwt = idp.signLikeMetabase(identity);
  const reply = await fetch(
    `${stack().url}/auth/sso?jwt=${encodeURIComponent(jwt)}&return_to=%2Flanding`,
    { redirect: 'manual' },
  );
  return reply.status;
};

const passwordSignIn = (login: string, password: string) =>
  call('POST', '/auth/sign-in', { json: { login, password } });

const userById = async (id: string) =>
  (await call('GET', `/users/${id}`, { token: ownerToken })).body.user;

describe('finding 1: sign-up pre-claims the CEO’s SSO identity', () => {
  it('the CEO’s SSO login takes the account over: the squatter’s password, sessions and tokens die', async () => {
    const ceo = 'ceo@linking.test';
    const squat = await call('POST', '/auth/sign-up', {
      json: { email: ceo, password: 'the squatter chose this' },
    });
    expect(squat.status, squat.text).toBe(201);
    expect(squat.body.user).toMatchObject({ email_verified: false, identities: [] });
    const session = await passwordSignIn(ceo, 'the squatter chose this');
    expect(session.status).toBe(200);
    const apiToken = await call('POST', '/tokens', {
      token: session.body.access_token,
      json: { name: 'keep me' },
    });
    expect(apiToken.status, apiToken.text).toBe(201);

    expect(await ssoLogin({ email: ceo, groups: ['corp-owners'] })).toBe(302);

    expect((await passwordSignIn(ceo, 'the squatter chose this')).status).toBe(401);
    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: session.body.refresh_token },
    });
    expect(refreshed.status).toBe(401);
    expect((await call('GET', '/me', { token: session.body.access_token })).status).toBe(401);
    expect((await call('GET', '/me', { token: apiToken.body.token })).status).toBe(401);
    const user = await userById(squat.body.user.id);
    expect(user).toMatchObject({
      role: 'owner',
      email_verified: true,
      identities: [{ provider: 'jwt', subject: ceo, linked_at: expect.any(String) }],
      mfa: { enrolled: false, types: [] },
    });
    const audit = await call('GET', `/audit?action=user.link&target_id=${user.id}`, {
      token: ownerToken,
    });
    expect(audit.body.events[0].detail).toEqual({ provider: 'jwt', subject: ceo, takeover: true });
  });
});

describe('finding 2: an admin turns a viewer into the IdP owner’s account', () => {
  it('after the owner’s SSO login, the password the admin set signs nobody in', async () => {
    const admin = { email: 'admin@linking.test', password: 'linking admin passphrase' };
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { ...admin, role: 'admin' },
    });
    expect(made.status, made.text).toBe(201);
    const viewer = await call('POST', '/users', {
      token: ownerToken,
      json: { email: 'viewer@linking.test', role: 'viewer' },
    });
    expect(viewer.body.user.email_verified).toBe(true);
    const adminToken = await signIn(admin.email, admin.password);
    const id = viewer.body.user.id;
    const known = 'the admin knows this one';
    const reset = await call('POST', `/users/${id}/password`, {
      token: adminToken,
      json: { password: known },
    });
    expect(reset.status, reset.text).toBe(204);
    const moved = await call('PATCH', `/users/${id}`, {
      token: adminToken,
      json: { email: 'founder@linking.test' },
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.user).toMatchObject({ email_verified: false, identities: [] });
    const asViewer = await passwordSignIn('founder@linking.test', known);
    expect(asViewer.status).toBe(200);
    const planted = await call('POST', '/tokens', {
      token: asViewer.body.access_token,
      json: { name: 'planted' },
    });
    expect(planted.status).toBe(201);

    expect(await ssoLogin({ email: 'founder@linking.test', groups: ['corp-owners'] })).toBe(302);

    expect((await userById(id)).role).toBe('owner');
    expect((await passwordSignIn('founder@linking.test', known)).status).toBe(401);
    expect((await call('GET', '/me', { token: planted.body.token })).status).toBe(401);
    expect((await call('GET', '/me', { token: asViewer.body.access_token })).status).toBe(401);
  });

  it('never links an admin or owner by email alone: the hosted link page, nothing created or linked', async () => {
    const before = (await call('GET', '/users?limit=200', { token: ownerToken })).body.users.length;
    const jwt = idp.signLikeMetabase({ email: OWNER.email, groups: ['corp-owners'] });
    const reply = await fetch(
      `${stack().url}/auth/sso?jwt=${encodeURIComponent(jwt)}&return_to=%2Flanding`,
      { redirect: 'manual' },
    );
    // The account's password first (test/e2e/link-account.test.ts finishes the step).
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe('/link-account');
    expect(reply.headers.getSetCookie().join('\n')).not.toContain('gatehouse_session=');
    const users = (await call('GET', '/users?limit=200', { token: ownerToken })).body.users;
    expect(users.length).toBe(before);
    const owner = users.find((u: { email: string }) => u.email === OWNER.email);
    expect(owner.identities).toEqual([]);
  });

  it('links a user an owner created with the identity ahead of the first login', async () => {
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: {
        email: 'cto@linking.test',
        role: 'admin',
        identities: [{ provider: 'jwt', subject: 'cto@linking.test' }],
      },
    });
    expect(made.status, made.text).toBe(201);
    expect(await ssoLogin({ email: 'cto@linking.test' })).toBe(302);
    expect((await userById(made.body.user.id)).last_sign_in_at).not.toBeNull();
    const again = await call('POST', '/users', {
      token: ownerToken,
      json: {
        email: 'other@linking.test',
        role: 'viewer',
        identities: [{ provider: 'jwt', subject: 'cto@linking.test' }],
      },
    });
    expect(again.status).toBe(409);
  });
});
