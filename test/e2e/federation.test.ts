import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browser, toCallback, useFederationStack } from '../support/federation-stack';

const OWNER = { email: 'owner@federation.test', password: 'federation owner passphrase' };

const { idp, call, signIn, stack } = await useFederationStack(
  {
    DEFAULT_OWNER_EMAIL: OWNER.email,
    DEFAULT_OWNER_PASSWORD: OWNER.password,
    REVOCATION_CACHE_SECONDS: '0',
  },
  [{ id: 'testidp', name: 'Test Provider', trust_email: true }],
);

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const signInAtProvider = async (using: Browser = browser()) => {
  const { callback } = await toCallback(stack().url, 'testidp', 'return_to=%2Flanding', using);
  return using.get(callback);
};

describe('OIDC federation', () => {
  it('lists the providers', async () => {
    const reply = await call('GET', '/auth/providers');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ providers: [{ id: 'testidp', name: 'Test Provider' }] });
  });

  it('creates an account on a first login', async () => {
    idp.setUser({
      sub: 'sub-first',
      email: 'first@idp.test',
      email_verified: true,
      name: 'First Person',
    });
    const landed = await signInAtProvider();
    expect(landed.status, landed.body).toBe(302);
    expect(landed.location).toBe(`${stack().url}/landing`);
    const users = await call('GET', '/users?q=first%40idp.test', { token: ownerToken });
    expect(users.body.users).toHaveLength(1);
    expect(users.body.users[0].identities).toEqual([
      expect.objectContaining({ provider: 'testidp', subject: 'sub-first' }),
    ]);
  });
});
