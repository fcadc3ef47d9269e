import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browser, toCallback, useFederationStack } from '../support/federation-stack';

/**
 * The issue-13 red team's attacks that held, kept as regressions (beyond
 * federation-attacks.test.ts): a string email_verified, one sub at two providers, two first
 * logins at once, and ID tokens signed with none or HS256 (the client secret), from another
 * issuer, for another authorized party, or issued in the future.
 */
const OWNER = { email: 'owner@fed.test', password: 'federation owner passphrase' };

const { idp, call, signIn, stack } = await useFederationStack(
  {
    DEFAULT_OWNER_EMAIL: OWNER.email,
    DEFAULT_OWNER_PASSWORD: OWNER.password,
    SIGN_UP_ENABLED: '1',
    REVOCATION_CACHE_SECONDS: '0',
    RATE_LIMIT_PER_IP: '0',
  },
  [
    { id: 'trusted', name: 'Trusted', trust_email: true },
    { id: 'trusted2', name: 'Trusted 2', trust_email: true },
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

const sessionOf = (cookies: string[]) =>
  cookies
    .find((c) => c.startsWith('gatehouse_session=') && !/Max-Age=0/.test(c))
    ?.split(';')[0]
    ?.slice('gatehouse_session='.length);

const userById = async (id: string) =>
  (await call('GET', `/users/${id}`, { token: ownerToken })).body.user;

const createUser = async (json: Record<string, unknown>) => {
  const reply = await call('POST', '/users', { token: ownerToken, json });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.user as { id: string };
};

describe('held: checks that stood', () => {
  it('email_verified as the string "true" vouches for nothing: 409, no link', async () => {
    const held = await createUser({ email: 'stringy@fed.test', role: 'viewer' });
    idp.setUser({
      sub: 'stringy-attacker',
      email: 'stringy@fed.test',
      email_verified: 'true' as unknown as boolean,
    });
    const { landed } = await login('trusted');
    expect(landed.status).toBe(409);
    expect((await userById(held.id)).identities).toEqual([]);
  });

  it('the same sub at another provider is another identity', async () => {
    idp.setUser({ sub: 'shared-sub', email: 'first@fed.test', email_verified: true });
    const a = await login('trusted');
    expect(a.landed.status).toBe(302);
    idp.setUser({ sub: 'shared-sub', email: 'second@fed.test', email_verified: true });
    const b = await login('trusted2');
    expect(b.landed.status).toBe(302);
    const users = (await call('GET', '/users?limit=200', { token: ownerToken })).body.users as {
      email: string;
      identities: { provider: string; subject: string }[];
    }[];
    const first = users.find((u) => u.email === 'first@fed.test');
    expect(first?.identities.map((i) => i.provider)).toEqual(['trusted']);
  });
});

describe('held: two first logins at once', () => {
  it('end in one account holding the identity (DynamoDB Local)', async () => {
    idp.setUser({ sub: 'racer', email: 'racer@fed.test', email_verified: true });
    const one = await toCallback(stack().url, 'trusted', 'return_to=%2Flanding', browser());
    const two = await toCallback(stack().url, 'trusted', 'return_to=%2Flanding', browser());
    const [a, b] = await Promise.all([
      one.browser.get(one.callback),
      two.browser.get(two.callback),
    ]);
    expect([a.status, b.status].sort()).toEqual(expect.arrayContaining([302]));
    const users = (await call('GET', '/users?limit=200', { token: ownerToken })).body.users as {
      email: string;
      identities: { subject: string }[];
    }[];
    expect(users.filter((u) => u.identities.some((i) => i.subject === 'racer'))).toHaveLength(1);
    expect(users.filter((u) => u.email === 'racer@fed.test')).toHaveLength(1);
  });
});

describe('held: ID tokens that fail a check (beyond federation-attacks.test.ts)', () => {
  for (const mode of ['hs256', 'none', 'issuer', 'azp', 'iat-future'] as const) {
    it(`refuses an ID token: ${mode}`, async () => {
      idp.setUser({
        sub: `tamper-${mode}`,
        email: `tamper-${mode}@fed.test`,
        email_verified: true,
      });
      const { callback, browser: using } = await toCallback(stack().url, 'trusted');
      idp.tamperNext(mode);
      const landed = await using.get(callback);
      expect(landed.status, landed.body).toBe(401);
      expect(sessionOf(landed.cookies)).toBeUndefined();
    });
  }
});
