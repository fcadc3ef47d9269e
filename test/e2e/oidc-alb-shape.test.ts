import { createRemoteJWKSet, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { createPerson, signInAndLand } from '../support/relying-party';

/**
 * What an AWS Application Load Balancer's `authenticate-oidc` action does with Gatehouse as
 * its IdP, step for step: it redirects the browser to the authorization endpoint with
 * response_type=code, its client_id, https://<alb>/oauth2/idpresponse, the configured scope
 * and a state (no PKCE, no nonce); redeems the code at the token endpoint with client_id and
 * client_secret in the form body (client_secret_post); expects id_token and access_token; then
 * calls the user info endpoint with the access token and passes its claims to the targets.
 */
const OWNER = { email: 'owner@alb-shape.test', password: 'alb shape owner passphrase' };
const IDP_RESPONSE = 'https://alb.example.com/oauth2/idpresponse';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const { stack, call, signIn, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let alb: { id: string; secret: string };
let person: Awaited<ReturnType<typeof createPerson>>;
let endpoints: {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  token_endpoint_auth_methods_supported: string[];
};

beforeAll(async () => {
  const ownerToken = await signIn(OWNER.email, OWNER.password);
  person = await createPerson(call, ownerToken, 'alb-person');
  // The operator registers the load balancer: a confidential client with a secret. Every
  // confidential client may send its secret in the form (client_secret_post), as ALB does.
  const registered = await registerClient(ownerToken, {
    name: 'internal tools ALB',
    redirect_uris: [IDP_RESPONSE],
    grant_types: ['authorization_code'],
    confidential: true,
    first_party: true,
  });
  alb = { id: registered.client_id, secret: registered.client_secret as string };
  endpoints = (await call('GET', '/.well-known/openid-configuration')).body;
});

/** Step 1-3: ALB's redirect to the authorization endpoint, the hosted sign-in, the callback. */
const albSignIn = async (state: string) => {
  const authorize = new URL(endpoints.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: alb.id,
    redirect_uri: IDP_RESPONSE,
    response_type: 'code',
    scope: 'openid',
    state,
  }).toString();
  return signInAndLand(
    browserFlow(() => stack().url),
    authorize,
    IDP_RESPONSE,
    person,
  );
};

/** Step 4: ALB's token request, its client credentials in the form body. */
const redeem = (code: string, secret = alb.secret) =>
  fetch(endpoints.token_endpoint, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: IDP_RESPONSE,
      client_id: alb.id,
      client_secret: secret,
    }).toString(),
  });

describe('an Application Load Balancer authenticate-oidc action', () => {
  it('finds the three endpoints it is configured with and client_secret_post in discovery', () => {
    expect(endpoints).toMatchObject({
      issuer: stack().url,
      authorization_endpoint: `${stack().url}/oauth/authorize`,
      token_endpoint: `${stack().url}/oauth/token`,
      userinfo_endpoint: `${stack().url}/oauth/userinfo`,
    });
    expect(endpoints.token_endpoint_auth_methods_supported).toContain('client_secret_post');
  });

  it('signs a person in: code without PKCE or nonce, client_secret_post, then userinfo', async () => {
    const callback = await albSignIn('alb-state-1');
    expect(callback.origin + callback.pathname).toBe(IDP_RESPONSE);
    expect(callback.searchParams.get('state')).toBe('alb-state-1');
    const code = callback.searchParams.get('code') as string;

    const answer = await redeem(code);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toContain('no-store');
    const tokens = (await answer.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({
      id_token: expect.any(String),
      access_token: expect.any(String),
      token_type: expect.stringMatching(/^bearer$/i),
      expires_in: expect.any(Number),
      scope: 'openid',
    });
    // No refresh_token grant registered: none is issued.
    expect(tokens).not.toHaveProperty('refresh_token');
    const { payload } = await jwtVerify(
      tokens.id_token as string,
      createRemoteJWKSet(new URL(endpoints.jwks_uri)),
      { issuer: endpoints.issuer, audience: alb.id },
    );
    expect(payload).toMatchObject({ sub: person.user.id, azp: alb.id, amr: ['pwd'] });
    expect(payload).not.toHaveProperty('nonce');

    // Step 5: the user claims ALB forwards to its targets (x-amzn-oidc-data).
    const userinfo = await fetch(endpoints.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    expect(userinfo.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await userinfo.json()).toEqual({ sub: person.user.id });
  });

  it('gets the email and profile claims at userinfo when its scope asks for them', async () => {
    const authorize = new URL(endpoints.authorization_endpoint);
    authorize.search = new URLSearchParams({
      client_id: alb.id,
      redirect_uri: IDP_RESPONSE,
      response_type: 'code',
      scope: 'openid email profile',
      state: 'alb-state-2',
    }).toString();
    const browser = browserFlow(() => stack().url);
    const callback = await signInAndLand(browser, authorize, IDP_RESPONSE, person);
    const answer = await redeem(callback.searchParams.get('code') as string);
    const { access_token } = (await answer.json()) as { access_token: string };
    const userinfo = await fetch(endpoints.userinfo_endpoint, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(await userinfo.json()).toMatchObject({
      sub: person.user.id,
      email: person.login,
      email_verified: expect.any(Boolean),
      name: person.user.name,
      preferred_username: person.user.username,
      updated_at: expect.any(Number),
    });
  });

  it('refuses a wrong client secret with 401 invalid_client, and the code stays unused', async () => {
    const callback = await albSignIn('alb-state-3');
    const code = callback.searchParams.get('code') as string;
    const refused = await redeem(code, `${alb.secret}x`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
    // A failed client authentication spends nothing: the right secret still redeems it.
    expect((await redeem(code)).status).toBe(200);
  });

  it('refuses a code redeemed twice with invalid_grant', async () => {
    const callback = await albSignIn('alb-state-4');
    const code = callback.searchParams.get('code') as string;
    expect((await redeem(code)).status).toBe(200);
    const again = await redeem(code);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
