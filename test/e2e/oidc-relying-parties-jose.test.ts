import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp, pkcePair } from '../support/oauth';
import { createPerson, signInAndLand } from '../support/relying-party';

/**
 * jose as a relying party's verifier: an ID token from the hosted sign-in verifies against the
 * discovered jwks_uri with the issuer, the client id as audience and the client's algorithm,
 * and nowhere else; and an ID token is never a bearer token, at userinfo, at the JSON API or
 * at the example API behind the authorizer.
 */
const OWNER = { email: 'owner@jose-rp.test', password: 'jose relying party owner passphrase' };
const CB = 'https://app.jose-rp.test/cb';

const { stack, call, signIn, registerClient, tokenEndpoint } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let ownerToken: string;
let person: Awaited<ReturnType<typeof createPerson>>;
let jwks: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  person = await createPerson(call, ownerToken, 'jose-person');
  const discovery = await call('GET', '/.well-known/openid-configuration');
  jwks = createRemoteJWKSet(new URL(discovery.body.jwks_uri));
});

/** A person signs in on the hosted page for `clientId`; its code is redeemed as an app would. */
const codeFlowTokens = async (clientId: string) => {
  const { verifier, challenge } = pkcePair();
  const authorize = new URL('/oauth/authorize', stack().url);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: CB,
    scope: 'openid email profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    nonce: 'jose-nonce',
    state: 'jose-state',
  }).toString();
  const callback = await signInAndLand(
    browserFlow(() => stack().url),
    authorize,
    CB,
    person,
  );
  const reply = await tokenEndpoint({
    grant_type: 'authorization_code',
    client_id: clientId,
    code: callback.searchParams.get('code') ?? '',
    redirect_uri: CB,
    code_verifier: verifier,
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.body as { access_token: string; id_token: string };
};

const register = async (name: string, extra: Record<string, unknown> = {}) =>
  (await registerClient(ownerToken, { ...firstPartyApp(name, CB), ...extra })).client_id;

describe('jose verifying ID tokens against the JWKS', () => {
  it('verifies an RS256 ID token with the issuer, the client id and RS256 only', async () => {
    const clientId = await register('jose rs256 app');
    const { id_token } = await codeFlowTokens(clientId);
    const { payload, protectedHeader } = await jwtVerify(id_token, jwks, {
      issuer: stack().url,
      audience: clientId,
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: person.user.id, nonce: 'jose-nonce', azp: clientId });
    // Another client's audience, another issuer or another algorithm: refused.
    const other = await register('jose other app');
    await expect(
      jwtVerify(id_token, jwks, { issuer: stack().url, audience: other }),
    ).rejects.toThrow(/aud/);
    await expect(
      jwtVerify(id_token, jwks, { issuer: 'https://elsewhere.test', audience: clientId }),
    ).rejects.toThrow(/iss/);
    await expect(jwtVerify(id_token, jwks, { algorithms: ['ES256'] })).rejects.toThrow(/alg/);
  });

  it('verifies an ES256 ID token for a client registered with ES256', async () => {
    const clientId = await register('jose es256 app', { id_token_signed_response_alg: 'ES256' });
    const { id_token } = await codeFlowTokens(clientId);
    const { protectedHeader } = await jwtVerify(id_token, jwks, {
      issuer: stack().url,
      audience: clientId,
      algorithms: ['ES256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT' });
  });

  it('refuses an ID token as a bearer at userinfo, /me and the example API', async () => {
    for (const alg of ['RS256', 'ES256']) {
      const clientId = await register(`jose bearer probe ${alg}`, {
        id_token_signed_response_alg: alg,
      });
      const tokens = await codeFlowTokens(clientId);
      expect(decodeProtectedHeader(tokens.id_token).alg).toBe(alg);
      // The access token of the same flow passes each of them: only the token kind differs.
      expect((await call('GET', '/oauth/userinfo', { token: tokens.access_token })).status).toBe(
        200,
      );
      expect((await call('GET', '/me', { token: tokens.access_token })).status).toBe(200);

      const userinfo = await call('GET', '/oauth/userinfo', { token: tokens.id_token });
      expect(userinfo.status, alg).toBe(401);
      expect(userinfo.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const me = await call('GET', '/me', { token: tokens.id_token });
      expect(me.status, alg).toBe(401);
      expect(me.body.error.code).toBe('token_invalid');
      // API Gateway answers an authorizer's refusal 403 (a missing token is its 401).
      const example = await call('GET', '/example/sessions', { token: tokens.id_token });
      expect(example, alg).toMatchObject({ status: 403, body: { message: 'Forbidden' } });
    }
  });
});
