import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCallback } from '../support/federation-stack';
import { useLocalStack } from '../support/local-stack';
import { startTestOidcIdp } from '../support/oidc-idp';

/**
 * The ways a relying party meets a provider, each against its own real OpenID Provider: a
 * public client (PKCE, no secret), `client_secret_post`, and a provider whose ID token holds
 * no email (userinfo is asked for it).
 */
const publicIdp = await startTestOidcIdp({ publicClient: true });
const postIdp = await startTestOidcIdp({ clientAuth: 'client_secret_post' });
const userinfoIdp = await startTestOidcIdp({ claimsInIdToken: false });
afterAll(() => Promise.all([publicIdp.stop(), postIdp.stop(), userinfoIdp.stop()]));

const entries = [
  publicIdp.providerEntry({ id: 'public', name: 'Public client' }),
  postIdp.providerEntry({
    id: 'post',
    name: 'Post',
    token_endpoint_auth_method: 'client_secret_post',
  }),
  userinfoIdp.providerEntry({ id: 'userinfo', name: 'Userinfo', claims: { name: 'name' } }),
];

const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: 'owner@fed-clients.test',
  DEFAULT_OWNER_PASSWORD: 'clients owner passphrase',
  IDENTITY_PROVIDERS: JSON.stringify(entries),
});
let ownerToken: string;
beforeAll(async () => {
  const idps = [publicIdp, postIdp, userinfoIdp];
  entries.forEach((entry, i) => {
    idps[i]?.allowRedirect(`${stack().url}/auth/federated/${entry.id}/callback`);
  });
  ownerToken = await signIn('owner@fed-clients.test', 'clients owner passphrase');
});

const signInWith = async (providerId: string) => {
  const { callback, browser } = await toCallback(stack().url, providerId);
  return browser.get(callback);
};

const userByEmail = async (email: string) =>
  (await call('GET', `/users?q=${encodeURIComponent(email)}`, { token: ownerToken })).body.users[0];

describe('client authentication and claims sources', () => {
  it('signs in through a public client (PKCE only, no secret)', async () => {
    publicIdp.setUser({ sub: 'sub-public', email: 'public@idp.test', email_verified: true });
    const landed = await signInWith('public');
    expect(landed.status, landed.body).toBe(302);
    expect((await userByEmail('public@idp.test')).identities).toEqual([
      expect.objectContaining({ provider: 'public', subject: 'sub-public' }),
    ]);
  });

  it('signs in with client_secret_post', async () => {
    postIdp.setUser({ sub: 'sub-post', email: 'post@idp.test', email_verified: true });
    const landed = await signInWith('post');
    expect(landed.status, landed.body).toBe(302);
    expect(await userByEmail('post@idp.test')).toBeDefined();
  });

  it('asks userinfo for the email when the ID token has none', async () => {
    userinfoIdp.setUser({
      sub: 'sub-userinfo',
      email: 'userinfo@idp.test',
      email_verified: true,
      name: 'From Userinfo',
    });
    const landed = await signInWith('userinfo');
    expect(landed.status, landed.body).toBe(302);
    expect(await userByEmail('userinfo@idp.test')).toMatchObject({ name: 'From Userinfo' });
  });
});
