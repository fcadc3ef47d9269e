import { type KeyObject, verify as verifySignature } from 'node:crypto';
import type { AccessTokenClaims } from './access-tokens';
import { GatehouseError } from './errors';

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** At most 60 s of leeway on exp/iat/nbf. */
  clockToleranceSeconds: number;
  now: () => number;
  /** How many verified tokens to remember; a repeated token then skips the signature check. */
  cacheSize: number;
}

/** A key the verifier does not know: the caller may refresh its keys and try once more. */
export class UnknownKeyError extends GatehouseError {
  constructor(readonly kid: string) {
    super('token_invalid', 'The access token is signed by an unknown key.');
  }
}

const invalid = (why: string) => new GatehouseError('token_invalid', `The access token ${why}.`);

const decodeJson = (part: string): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;
const ACCEPTED_TYPES = new Set(['at+jwt', 'application/at+jwt']);

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Strict ES256 access-token verification on node:crypto (no JOSE library on the hot path):
 * algorithm allowlist, `typ`, known `kid`, signature first, then issuer, audience, and the
 * required exp/iat/sub/jti claims. Verified tokens are remembered until they expire.
 */
export const createAccessTokenVerifier = (
  keyFor: (kid: string) => KeyObject | undefined,
  options: VerifierOptions,
) => {
  const tolerance = Math.min(60, Math.max(0, options.clockToleranceSeconds));
  const cache = new Map<string, AccessTokenClaims>();

  const checkTimes = (claims: AccessTokenClaims, nowSeconds: number): void => {
    if (nowSeconds > claims.exp + tolerance) {
      throw new GatehouseError('token_expired', 'The access token has expired.');
    }
  };

  const verifyFresh = (token: string, nowSeconds: number): AccessTokenClaims => {
    if (token.length > MAX_TOKEN_LENGTH) throw invalid('is too long');
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid('is malformed');
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    if (!BASE64URL.test(signaturePart)) throw invalid('is malformed');
    const header = decodeJson(headerPart);
    if (!header) throw invalid('is malformed');
    if (header.alg !== 'ES256') throw invalid('uses an algorithm that is not allowed');
    if (typeof header.typ !== 'string' || !ACCEPTED_TYPES.has(header.typ.toLowerCase())) {
      throw invalid('is not an access token');
    }
    if (header.crit !== undefined) throw invalid('has unsupported critical headers');
    if (!isNonEmptyString(header.kid)) throw invalid('has no key id');
    const key = keyFor(header.kid);
    if (!key) throw new UnknownKeyError(header.kid);
    const signature = Buffer.from(signaturePart, 'base64url');
    const signed = verifySignature(
      'sha256',
      Buffer.from(`${headerPart}.${payloadPart}`),
      { key, dsaEncoding: 'ieee-p1363' },
      signature,
    );
    if (!signed) throw invalid('has a bad signature');

    const claims = decodeJson(payloadPart);
    if (!claims) throw invalid('is malformed');
    if (claims.iss !== options.issuer) throw invalid('has the wrong issuer');
    const aud = claims.aud;
    const audienceOk = Array.isArray(aud)
      ? aud.includes(options.audience)
      : aud === options.audience;
    if (!audienceOk) throw invalid('has the wrong audience');
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
      throw invalid('lacks exp or iat');
    }
    if (!isNonEmptyString(claims.sub) || !isNonEmptyString(claims.jti)) {
      throw invalid('lacks sub or jti');
    }
    if (claims.iat > nowSeconds + tolerance) throw invalid('is issued in the future');
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + tolerance) {
      throw invalid('is not valid yet');
    }
    const verified = claims as unknown as AccessTokenClaims;
    checkTimes(verified, nowSeconds);
    return verified;
  };

  return {
    verify(token: string): AccessTokenClaims {
      const nowSeconds = Math.floor(options.now() / 1000);
      const remembered = cache.get(token);
      if (remembered) {
        checkTimes(remembered, nowSeconds);
        return remembered;
      }
      const claims = verifyFresh(token, nowSeconds);
      if (options.cacheSize > 0) {
        // Map keeps insertion order: dropping the first entry forgets the oldest token.
        if (cache.size >= options.cacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(token, claims);
      }
      return claims;
    },
  };
};

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;
