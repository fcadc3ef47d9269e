import * as oauth from 'oauth4webapi';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp } from '../support/oauth';
import { createPerson, isSignedIn, signInAndLand } from '../support/relying-party';

/**
 * oauth4webapi's OpenID Connect functions as the relying party, against `npm start`'s stack:
 * discovery in OIDC mode, the code flow with PKCE, nonce and state through the hosted sign-in,
 * the ID token's checks, userinfo, and an end_session URL built from the discovered endpoint.
 */
const OWNER = { email: 'owner@o4w-oidc.test', password: 'oauth4webapi oidc owner passphrase' };
const CB = 'https://app.o4w-oidc.test/cb';
const BYE = 'https://app.o4w-oidc.test/signed-out';
const insecure = { [oauth.allowInsecureRequests]: true };

const { stack, call, signIn, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let as: oauth.AuthorizationServer;
let app: oauth.Client;
let person: Awaited<ReturnType<typeof createPerson>>;

beforeAll(async () => {
  const ownerToken = await signIn(OWNER.email, OWNER.password);
  person = await createPerson(call, ownerToken, 'o4w-person');
  const registered = await registerClient(ownerToken, {
    ...firstPartyApp('oauth4webapi app', CB),
    post_logout_redirect_uris: [BYE],
  });
  app = { client_id: registered.client_id };
  const issuer = new URL(stack().url);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
  );
});

/** The app's authorization request: PKCE S256, a nonce and a state of its own. */
const startSignIn = async (scope: string) => {
  const verifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint as string);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: app.client_id,
    redirect_uri: CB,
    scope,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  }).toString();
  return { url, verifier, nonce, state };
};

/** The app's callback: the response checked, the code redeemed, the ID token validated. */
const redeem = async (
  callback: URL,
  request: { verifier: string; nonce: string; state: string },
  expectedNonce = request.nonce,
) => {
  const params = oauth.validateAuthResponse(as, app, callback, request.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    app,
    oauth.None(),
    params,
    CB,
    request.verifier,
    insecure,
  );
  return oauth.processAuthorizationCodeResponse(as, app, response, {
    expectedNonce,
    requireIdToken: true,
  });
};

describe('oauth4webapi in OIDC mode as the relying party', () => {
  it('signs in through the hosted page, validates the ID token, reads userinfo and logs out', async () => {
    const browser = browserFlow(() => stack().url);
    const request = await startSignIn('openid email profile');
    const callback = await signInAndLand(browser, request.url, CB, person);
    const tokens = await redeem(callback, request);
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    expect(claims).toMatchObject({
      iss: stack().url,
      aud: app.client_id,
      azp: app.client_id,
      sub: person.user.id,
      nonce: request.nonce,
      amr: ['pwd'],
      email: person.login,
      name: person.user.name,
    });
    expect(claims?.auth_time).toEqual(expect.any(Number));
    expect(claims?.at_hash).toEqual(expect.any(String));

    const userinfo = await oauth.processUserInfoResponse(
      as,
      app,
      person.user.id,
      await oauth.userInfoRequest(as, app, tokens.access_token, insecure),
    );
    expect(userinfo).toMatchObject({ sub: person.user.id, email: person.login });
    // Another subject than the ID token's is refused by the library: the answer is bound to it.
    await expect(
      oauth.processUserInfoResponse(
        as,
        app,
        'usr_someone_else',
        await oauth.userInfoRequest(as, app, tokens.access_token, insecure),
      ),
    ).rejects.toMatchObject({ code: oauth.JSON_ATTRIBUTE_COMPARISON });

    // OIDC RP-Initiated Logout 1.0 §2, by hand from the discovered end_session_endpoint.
    const endSession = new URL(as.end_session_endpoint as string);
    endSession.search = new URLSearchParams({
      id_token_hint: tokens.id_token as string,
      client_id: app.client_id,
      post_logout_redirect_uri: BYE,
      state: 'o4w-bye',
    }).toString();
    const loggedOut = await browser.request('GET', endSession.href);
    expect([302, 303]).toContain(loggedOut.status);
    expect(loggedOut.location).toBe(`${BYE}?state=o4w-bye`);
    expect(await isSignedIn(browser)).toBe(false);
  });

  it("refuses a code whose ID token carries another authorization's nonce", async () => {
    const browser = browserFlow(() => stack().url);
    const first = await startSignIn('openid');
    await signInAndLand(browser, first.url, CB, person);
    const second = await startSignIn('openid');
    const callback = await signInAndLand(browser, second.url, CB, person);
    await expect(redeem(callback, second, first.nonce)).rejects.toMatchObject({
      code: oauth.JWT_CLAIM_COMPARISON,
      message: expect.stringContaining('"nonce"'),
    });
  });

  it('refuses a callback with a tampered state before redeeming its code', async () => {
    const browser = browserFlow(() => stack().url);
    const request = await startSignIn('openid');
    const callback = await signInAndLand(browser, request.url, CB, person);
    callback.searchParams.set('state', 'forged-state');
    expect(() => oauth.validateAuthResponse(as, app, callback, request.state)).toThrow(
      expect.objectContaining({ code: oauth.INVALID_RESPONSE }),
    );
  });
});
