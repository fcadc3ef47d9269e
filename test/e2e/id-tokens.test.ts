import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessTokenHash } from '../../src/core/tokens/id-tokens';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { basicAuth, firstPartyApp, thirdPartyApp } from '../support/oauth';

/**
 * OpenID Connect ID tokens over HTTP on `npm start`'s stack: the code flow with a nonce, the
 * password and refresh grants, verified as a relying party does (jose against the JWKS); none
 * on client_credentials; and an ID token is never a bearer token, at a JSON route or at the
 * example API's authorizer.
 */
const OWNER = { email: 'owner@id-tokens.test', password: 'id tokens owner passphrase' };
const CB = 'https://rp.example.test/cb';

const { call, signIn, stack, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

/** What a relying party does: the ID token's signature by the published JWKS, iss, aud, typ. */
const verifyIdToken = async (idToken: string, audience: string) => {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', stack().url));
  return jwtVerify(idToken, jwks, { issuer: stack().url, audience, typ: 'JWT' });
};

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
  scope: string;
}

/** The owner signs in on the hosted page and runs the code flow with `params`. */
const codeFlow = async (clientId: string, params: Record<string, string>): Promise<Tokens> => {
  const browser = browserFlow(() => stack().url);
  await browser.signIn(OWNER.email, OWNER.password);
  const { verifier, authorized } = await browser.authorize({
    client_id: clientId,
    redirect_uri: CB,
    state: 'st-1',
    ...params,
  });
  const landed = new URL(authorized.location as string);
  expect(landed.searchParams.get('state')).toBe('st-1');
  const reply = await tokenEndpoint({
    grant_type: 'authorization_code',
    client_id: clientId,
    code: landed.searchParams.get('code') ?? '',
    redirect_uri: CB,
    code_verifier: verifier,
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.body as Tokens;
};

const me = async () => (await call('GET', '/me', { token: ownerToken })).body.user;

describe('ID tokens', () => {
  it('publishes an RS256 and an ES256 key with distinct kids', async () => {
    const jwks = await call('GET', '/.well-known/jwks.json');
    const keys = jwks.body.keys as { kid: string; alg: string; use: string; kty: string }[];
    expect(keys.map((k) => [k.alg, k.kty, k.use]).sort()).toEqual([
      ['ES256', 'EC', 'sig'],
      ['RS256', 'RSA', 'sig'],
    ]);
    expect(new Set(keys.map((k) => k.kid)).size).toBe(2);
  });

  it('code flow with openid and a nonce: an RS256 ID token for the client, with the nonce and at_hash', async () => {
    const app = await registerClient(ownerToken, firstPartyApp('rp', CB));
    const tokens = await codeFlow(app.client_id, {
      scope: 'openid profile email',
      nonce: 'nonce-abc-123',
    });
    const { payload, protectedHeader } = await verifyIdToken(tokens.id_token ?? '', app.client_id);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const user = await me();
    expect(payload).toMatchObject({
      sub: user.id,
      aud: app.client_id,
      azp: app.client_id,
      nonce: 'nonce-abc-123',
      amr: ['pwd'],
      at_hash: accessTokenHash(tokens.access_token, 'RS256'),
      email: OWNER.email,
      email_verified: user.email_verified,
      preferred_username: user.username,
      updated_at: Math.floor(Date.parse(user.updated_at) / 1000),
    });
    expect(payload.auth_time).toEqual(expect.any(Number));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);

    // Refresh: a new ID token, the same sub, auth_time and amr, no nonce.
    const refreshed = await tokenEndpoint({
      grant_type: 'refresh_token',
      client_id: app.client_id,
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status, refreshed.text).toBe(200);
    const again = (await verifyIdToken(refreshed.body.id_token, app.client_id)).payload;
    expect(again).toMatchObject({ sub: payload.sub, auth_time: payload.auth_time, amr: ['pwd'] });
    expect(again).not.toHaveProperty('nonce');
    expect(again.at_hash).toBe(accessTokenHash(refreshed.body.access_token, 'RS256'));
  });

  it('keeps the nonce through the consent page of a third-party client', async () => {
    const app = await registerClient(ownerToken, thirdPartyApp('third rp', CB));
    const browser = browserFlow(() => stack().url);
    await browser.signIn(OWNER.email, OWNER.password);
    const { verifier, authorized } = await browser.authorize({
      client_id: app.client_id,
      redirect_uri: CB,
      scope: 'openid email',
      nonce: 'consent-nonce-7',
    });
    expect(authorized.location).toMatch(/^\/consent\?request=/);
    const { answered } = await browser.consent(authorized.location as string, 'allow');
    const landed = new URL(answered.location as string);
    const reply = await tokenEndpoint({
      grant_type: 'authorization_code',
      client_id: app.client_id,
      code: landed.searchParams.get('code') ?? '',
      redirect_uri: CB,
      code_verifier: verifier,
    });
    expect(reply.status, reply.text).toBe(200);
    const { payload } = await verifyIdToken(reply.body.id_token, app.client_id);
    expect(payload).toMatchObject({ aud: app.client_id, nonce: 'consent-nonce-7' });
  });

  it('is ES256 for a client registered with id_token_signed_response_alg ES256', async () => {
    const app = await registerClient(ownerToken, {
      ...firstPartyApp('es rp', CB),
      id_token_signed_response_alg: 'ES256',
    });
    expect(app).toMatchObject({ id_token_signed_response_alg: 'ES256' });
    const listed = await call('GET', '/clients', { token: ownerToken });
    expect(
      listed.body.clients.find((c: { client_id: string }) => c.client_id === app.client_id),
    ).toMatchObject({ id_token_signed_response_alg: 'ES256' });
    const tokens = await codeFlow(app.client_id, { scope: 'openid' });
    const { payload, protectedHeader } = await verifyIdToken(tokens.id_token ?? '', app.client_id);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(payload).not.toHaveProperty('nonce');
    expect(payload).not.toHaveProperty('email');
    const bad = await call('POST', '/clients', {
      token: ownerToken,
      json: { ...firstPartyApp('bad', CB), id_token_signed_response_alg: 'none' },
    });
    expect(bad.status).toBe(400);
  });

  it('comes with the password grant for openid, never without openid', async () => {
    const app = await registerClient(ownerToken, {
      name: 'first-party cli',
      grant_types: ['password', 'refresh_token'],
      confidential: false,
      first_party: true,
    });
    const grant = (scope: string) =>
      tokenEndpoint({
        grant_type: 'password',
        client_id: app.client_id,
        username: OWNER.email,
        password: OWNER.password,
        scope,
      });
    const withOpenid = await grant('openid email');
    expect(withOpenid.status, withOpenid.text).toBe(200);
    const { payload } = await verifyIdToken(withOpenid.body.id_token, app.client_id);
    expect(payload).toMatchObject({ aud: app.client_id, email: OWNER.email });
    const without = await grant('profile');
    expect(without.status, without.text).toBe(200);
    expect(without.body).not.toHaveProperty('id_token');
  });

  it('is never issued on client_credentials', async () => {
    const service = await registerClient(ownerToken, {
      name: 'service',
      grant_types: ['client_credentials'],
      confidential: true,
    });
    const reply = await tokenEndpoint(
      { grant_type: 'client_credentials', scope: 'openid' },
      { authorization: basicAuth(service.client_id, service.client_secret ?? '') },
    );
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).not.toHaveProperty('id_token');
  });

  it('is refused as a bearer token by a JSON route (401) and by the authorizer', async () => {
    const app = await registerClient(ownerToken, {
      ...firstPartyApp('bearer probe', CB),
      // ES256, like access tokens: the typ alone must tell them apart.
      id_token_signed_response_alg: 'ES256',
    });
    const tokens = await codeFlow(app.client_id, { scope: 'openid profile' });
    const idToken = tokens.id_token ?? '';
    expect(decodeProtectedHeader(idToken).typ).toBe('JWT');
    const asBearer = await call('GET', '/me', { token: idToken });
    expect(asBearer.status).toBe(401);
    expect(asBearer.body.error.code).toBe('token_invalid');
    expect((await call('GET', '/me', { token: tokens.access_token })).status).toBe(200);
    const atAuthorizer = await call('GET', '/example/sessions', { token: idToken });
    expect(atAuthorizer).toMatchObject({ status: 403, body: { message: 'Forbidden' } });
    const payload: JWTPayload = (await verifyIdToken(idToken, app.client_id)).payload;
    expect(payload.aud).toBe(app.client_id);
  });
});
