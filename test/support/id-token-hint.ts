import { readFileSync } from 'node:fs';
import { generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { SigningKeySet } from '../../src/core/tokens/signing-keys';

/**
 * An ID token as the service would issue it (`typ: JWT`, `aud` the client), signed with the
 * local stack's own current key (SIGNING_KEYS_FILE) the way access tokens are, or with a
 * stranger's key: the hints RP-initiated logout is given in tests.
 */
export const mintIdToken = async (
  claims: { iss: string; sub: string; aud: string; exp?: number; iat?: number; auth_time?: number },
  options: { foreignKey?: boolean } = {},
): Promise<string> => {
  const set = JSON.parse(
    readFileSync(process.env.SIGNING_KEYS_FILE as string, 'utf8'),
  ) as SigningKeySet;
  const [current] = set.keys;
  if (!current) throw new Error('The local stack has no signing key.');
  const key = options.foreignKey
    ? (await generateKeyPair('ES256')).privateKey
    : await importJWK(current.privateJwk as JWK, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, iat: claims.iat ?? now, exp: claims.exp ?? now + 300 })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: current.kid })
    .sign(key);
};
