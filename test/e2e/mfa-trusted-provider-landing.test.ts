import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { browser, toCallback, useFederationStack } from '../support/federation-stack';
import { firstPartyApp, pkcePair } from '../support/oauth';

/**
 * Red team 18, finding 3: a `trust_mfa` provider whose ID token's `amr` has `mfa` stands in for
 * the factor, so the app's session of a federated login (the PKCE code hand-off) carries that
 * `amr` too: not held back under MFA_REQUIRED_ROLES, as the browser session is not.
 */
const OWNER = { email: 'owner@trusted-landing.test', password: 'trusted landing passphrase' };
const APP = 'https://app.example.com';

const { idp, call, signIn, stack, tokenEndpoint, registerClient } = await useFederationStack(
  {
    DEFAULT_OWNER_EMAIL: OWNER.email,
    DEFAULT_OWNER_PASSWORD: OWNER.password,
    ALLOWED_REDIRECT_ORIGINS: APP,
    REVOCATION_CACHE_SECONDS: '0',
    MFA_REQUIRED_ROLES: 'viewer,admin',
    RATE_LIMIT_PER_IP: '0',
  },
  [
    { id: 'trusted', name: 'Trusted Provider', trust_email: true, trust_mfa: true },
    { id: 'plain', name: 'Plain Provider', trust_email: true },
  ],
);

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

/**
 * A federated sign-in handed off to a first-party app (through /link-account with `password`
 * when the login names an admin by email): the app's tokens.
 */
const appSignIn = async (provider: string, sub: string, password?: string) => {
  const returnTo = `${APP}/callback-${sub}`;
  const app = await registerClient(ownerToken, firstPartyApp(`SPA ${sub}`, returnTo));
  const { verifier, challenge } = pkcePair();
  idp.setUser({
    sub,
    email: `${sub}@trusted-landing.test`,
    email_verified: true,
    amr: ['pwd', 'mfa'],
  });
  const query = `return_to=${encodeURIComponent(returnTo)}&code_challenge=${challenge}&code_challenge_method=S256&client_id=${app.client_id}`;
  const using = browser();
  const { callback } = await toCallback(stack().url, provider, query, using);
  let landed = await using.get(callback);
  expect(landed.status, landed.body).toBe(302);
  if (password !== undefined) {
    expect(landed.location).toBe(`${stack().url}/link-account`);
    const page = await using.get(`${stack().url}/link-account`);
    const csrf = /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    landed = await using.post(`${stack().url}/link-account`, { csrf, password });
    expect(landed.status, landed.body).toBe(302);
  }
  const code = new URL(landed.location as string).searchParams.get('code') as string;
  expect(code).toBeTruthy();
  const tokens = await tokenEndpoint({
    grant_type: 'authorization_code',
    code,
    redirect_uri: returnTo,
    client_id: app.client_id,
    code_verifier: verifier,
  });
  expect(tokens.status, tokens.text).toBe(200);
  return tokens.body as { access_token: string; scope: string };
};

describe('the app session of a trust_mfa provider login', () => {
  it("carries the provider's amr, so MFA_REQUIRED_ROLES does not hold it back", async () => {
    const tokens = await appSignIn('trusted', 'trusted-person');
    expect(decodeJwt(tokens.access_token).amr).toEqual(expect.arrayContaining(['mfa']));
    expect(tokens.scope.split(' ').length).toBeGreaterThan(1);
  });

  it("through /link-account (an admin matched by email): the provider's amr too", async () => {
    const password = 'the linked admin passphrase';
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { email: 'linked-admin@trusted-landing.test', role: 'admin', password },
    });
    expect(made.status, made.text).toBe(201);
    const tokens = await appSignIn('trusted', 'linked-admin', password);
    expect(decodeJwt(tokens.access_token).amr).toEqual(expect.arrayContaining(['mfa']));
    expect(tokens.scope.split(' ')).toContain('users:read');
  });

  it("an untrusted provider's amr stands in for nothing: held back to profile", async () => {
    const tokens = await appSignIn('plain', 'plain-person');
    expect(decodeJwt(tokens.access_token).amr ?? []).not.toContain('mfa');
    expect(tokens.scope).toBe('profile');
  });
});
