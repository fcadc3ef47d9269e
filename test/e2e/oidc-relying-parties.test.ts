import * as client from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp } from '../support/oauth';
import { createPerson, isSignedIn, signInAndLand } from '../support/relying-party';

/**
 * openid-client 6 (panva's certified relying party) signing a person in through the hosted
 * pages of `npm start`'s stack, as an app would: discovery, the code flow with PKCE, nonce and
 * state, its ID token checks, userinfo, refresh and RP-initiated logout. Nothing reaches into
 * the core: every code comes from /oauth/authorize after the hosted sign-in.
 */
const OWNER = { email: 'owner@openid-client.test', password: 'openid-client owner passphrase' };
const CB = 'https://app.openid-client.test/cb';
const BYE = 'https://app.openid-client.test/signed-out';
const SCOPE = 'openid email profile offline_access';

const { stack, call, signIn, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let config: client.Configuration;
let person: Awaited<ReturnType<typeof createPerson>>;

beforeAll(async () => {
  const ownerToken = await signIn(OWNER.email, OWNER.password);
  person = await createPerson(call, ownerToken, 'oc-person');
  const app = await registerClient(ownerToken, {
    ...firstPartyApp('openid-client app', CB),
    post_logout_redirect_uris: [BYE],
  });
  config = await client.discovery(new URL(stack().url), app.client_id, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
});

/** The app starts a sign-in: fresh PKCE verifier, nonce and state, and its authorization URL. */
const startSignIn = async () => {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CB,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  });
  return { url, checks: { pkceCodeVerifier, expectedNonce: nonce, expectedState: state } };
};

describe('openid-client 6 as the relying party', () => {
  it('discovers the issuer and its endpoints', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(stack().url);
    expect(metadata.end_session_endpoint).toBe(`${stack().url}/oauth/logout`);
    expect(metadata.userinfo_endpoint).toBe(`${stack().url}/oauth/userinfo`);
    expect(config.clientMetadata().client_id).toEqual(expect.stringMatching(/\S/));
  });

  it('signs in through the hosted page, validates the ID token, reads userinfo, refreshes and logs out', async () => {
    const browser = browserFlow(() => stack().url);
    const { url, checks } = await startSignIn();
    const callback = await signInAndLand(browser, url, CB, person);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      ...checks,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    const clientId = config.clientMetadata().client_id;
    expect(claims).toMatchObject({
      iss: stack().url,
      aud: clientId,
      azp: clientId,
      sub: person.user.id,
      nonce: checks.expectedNonce,
      amr: ['pwd'],
      email: person.login,
      name: person.user.name,
      preferred_username: person.user.username,
    });
    expect(claims?.auth_time).toEqual(expect.any(Number));
    expect(claims?.at_hash).toEqual(expect.any(String));
    expect(tokens.scope?.split(' ').sort()).toEqual(SCOPE.split(' ').sort());

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, person.user.id);
    expect(userinfo).toMatchObject({
      sub: person.user.id,
      email: person.login,
      name: person.user.name,
      preferred_username: person.user.username,
    });

    // The contract issues a new ID token on refresh: same sub and auth_time, no nonce.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    const again = refreshed.claims();
    expect(again).toMatchObject({ sub: claims?.sub, auth_time: claims?.auth_time, aud: clientId });
    expect(again).not.toHaveProperty('nonce');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    expect(await isSignedIn(browser)).toBe(true);
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: refreshed.id_token as string,
      post_logout_redirect_uri: BYE,
      state: 'logout-state-1',
    });
    const loggedOut = await browser.request('GET', endSession.href);
    expect([302, 303]).toContain(loggedOut.status);
    const landed = new URL(loggedOut.location as string);
    expect(landed.origin + landed.pathname).toBe(BYE);
    expect(landed.searchParams.get('state')).toBe('logout-state-1');
    expect(await isSignedIn(browser)).toBe(false);
  });

  it("rejects a callback whose ID token carries another authorization's nonce", async () => {
    const browser = browserFlow(() => stack().url);
    const first = await startSignIn();
    await signInAndLand(browser, first.url, CB, person);
    // A second authorization in the same browser, answered with the first one's checks.
    const second = await startSignIn();
    const callback = await signInAndLand(browser, second.url, CB, person);
    await expect(
      client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: second.checks.pkceCodeVerifier,
        expectedState: second.checks.expectedState,
        expectedNonce: first.checks.expectedNonce,
        idTokenExpected: true,
      }),
    ).rejects.toMatchObject({
      code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      cause: { message: expect.stringContaining('"nonce"') },
    });
  });

  it('rejects a callback whose state was tampered with, before any code is redeemed', async () => {
    const browser = browserFlow(() => stack().url);
    const { url, checks } = await startSignIn();
    const callback = await signInAndLand(browser, url, CB, person);
    callback.searchParams.set('state', `${checks.expectedState}x`);
    await expect(
      client.authorizationCodeGrant(config, callback, { ...checks, idTokenExpected: true }),
    ).rejects.toMatchObject({
      code: 'OAUTH_INVALID_RESPONSE',
      cause: { message: expect.stringContaining('"state"') },
    });
    // The code was never sent: the untampered callback still redeems it.
    callback.searchParams.set('state', checks.expectedState);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      ...checks,
      idTokenExpected: true,
    });
    expect(tokens.claims()?.sub).toBe(person.user.id);
  });
});
