import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * ACCESS_TOKEN_SIGNING_ALG=RS256 (for consumers that verify only RSA, such as API Gateway HTTP
 * APIs' JWT authorizers): access tokens are RS256 under the published RSA key, and the
 * service's own routes and the authorizer accept them.
 */
const OWNER = { email: 'owner@rs256.test', password: 'rs256 owner passphrase 12' };

const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  ACCESS_TOKEN_SIGNING_ALG: 'RS256',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

it('signs access tokens RS256, verifiable by the JWKS, accepted by a JSON route and the authorizer', async () => {
  expect(decodeProtectedHeader(ownerToken)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', stack().url));
  const { payload } = await jwtVerify(ownerToken, jwks, {
    issuer: stack().url,
    audience: stack().url,
    typ: 'at+jwt',
    algorithms: ['RS256'],
  });
  const me = await call('GET', '/me', { token: ownerToken });
  expect(me.status, me.text).toBe(200);
  expect(payload.sub).toBe(me.body.user.id);
  const example = await call('GET', '/example/sessions', { token: ownerToken });
  expect(example.status, example.text).toBe(200);
  // Introspection and revocation verify them through the same key ring.
  const introspected = await call('POST', '/oauth/introspect', {
    token: ownerToken,
    body: new URLSearchParams({ token: ownerToken }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(introspected.body).toMatchObject({ active: true, token_type: 'access_token' });
});
