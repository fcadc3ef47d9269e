import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/** What the test provider may get wrong in an ID token it has issued (oidc-idp.ts). */
export type Tampering =
  | 'audience'
  | 'expired'
  | 'nonce'
  | 'signature'
  | 'hs256'
  | 'none'
  | 'issuer'
  | 'azp'
  | 'iat-future';

const newKey = async (kid: string): Promise<JWK> => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
};

const publicPart = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest }: JWK): JWK => rest;

/**
 * The test provider's signing keys: the one oidc-provider starts with, and after a rotation a
 * new one that signs its ID tokens and is listed first in its JWKS. Re-signing uses the
 * provider's current key: a misbehaving provider, not a forger (but `signature`).
 */
export const testIdpKeys = async () => {
  const initial = await newKey('test-idp-1');
  let rotated: JWK | null = null;
  return {
    initial,
    /** Whether ID tokens must be re-signed even untampered (a rotation happened). */
    rotated: () => rotated !== null,
    async rotate() {
      rotated = await newKey(`test-idp-${Date.now()}`);
    },
    /** The JWKS as the provider answers it, with the rotated key added. */
    published(keys: JWK[]): JWK[] {
      return rotated ? [publicPart(rotated), ...keys] : keys;
    },
    /** The ID token re-signed with the current key, one claim wrong if asked. */
    async resign(idToken: string, mode: Tampering | null): Promise<string> {
      const claims = decodeJwt(idToken);
      const now = Math.floor(Date.now() / 1000);
      const changed =
        mode === 'audience'
          ? { ...claims, aud: 'another-client' }
          : mode === 'expired'
            ? { ...claims, iat: now - 3600, exp: now - 600 }
            : mode === 'nonce'
              ? { ...claims, nonce: 'not-the-nonce-of-this-flow' }
              : mode === 'issuer'
                ? { ...claims, iss: 'http://127.0.0.1:1' }
                : mode === 'azp'
                  ? {
                      ...claims,
                      aud: [claims.aud as string, 'another-client'],
                      azp: 'another-client',
                    }
                  : mode === 'iat-future'
                    ? { ...claims, iat: now + 3600, exp: now + 7200 }
                    : claims;
      if (mode === 'none') {
        const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return `${enc({ alg: 'none' })}.${enc(changed)}.`;
      }
      if (mode === 'hs256') {
        // Signed with the client secret (a provider or attacker who knows it).
        return new SignJWT(changed)
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('test-provider-client-secret-0123456789'));
      }
      const key = rotated ?? initial;
      const signer =
        mode === 'signature'
          ? (await generateKeyPair('RS256')).privateKey
          : await importJWK(key, 'RS256');
      return new SignJWT(changed)
        .setProtectedHeader({ alg: 'RS256', kid: key.kid as string })
        .sign(signer);
    },
  };
};
