import { type KeyObject, verify as verifySignature } from 'node:crypto';
import { GatehouseError } from '../shared/errors';
import type { AccessTokenClaims } from './access-tokens';

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

const MAX_TOKEN_LENGTH = 8192;
const CANONICAL_LAST = 'AEIMQUYcgkosw048';
const ACCEPTED_TYPES = new Set(['at+jwt', 'application/at+jwt']);

const KEY_TYPE_OF = { ES256: 'ec', RS256: 'rsa' } as const;

interface SignedHeader {
  kid: string;
  alg: 'ES256' | 'RS256';
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Remembers up to `size` entries in two generations: O(1) eviction, no per-entry bookkeeping. */
const generationalCache = <V>(size: number) => {
  let current = new Map<string, V>();
  let previous = new Map<string, V>();
  return {
    get: (key: string): V | undefined => current.get(key) ?? previous.get(key),
    set(key: string, value: V) {
      if (size <= 0) return;
      if (current.size >= Math.ceil(size / 2)) {
        previous = current;
        current = new Map();
      }
      current.set(key, value);
    },
  };
};

/**
 * Strict ES256/RS256 access-token verification on node:crypto (no JOSE library on the hot path):
 * algorithm allowlist, `typ`, known `kid`, signature first, then issuer, audience, and the
 * required exp/iat/sub/jti/sid claims. Verified tokens are remembered until they expire.
 */
export const createAccessTokenVerifier = (
  keyFor: (kid: string) => KeyObject | undefined,
  options: VerifierOptions,
) => {
  const tolerance = Math.min(60, Math.max(0, options.clockToleranceSeconds));
  // Keyed by the signature (86 characters hash faster than the whole token); a hit must also
  // match the whole token.
  const verified = generationalCache<{ token: string; claims: AccessTokenClaims; kid: string }>(
    options.cacheSize,
  );
  // Every token one key signs has the same header: check each distinct header once.
  const headers = generationalCache<SignedHeader>(64);

  const checkTimes = (claims: AccessTokenClaims, nowSeconds: number): void => {
    if (nowSeconds > claims.exp + tolerance) {
      throw new GatehouseError('token_expired', 'The access token has expired.');
    }
  };

  const headerOf = (headerPart: string): SignedHeader => {
    const known = headers.get(headerPart);
    if (known !== undefined) return known;
    const header = decodeJson(headerPart);
    if (!header) throw invalid('is malformed');
    if (header.alg !== 'ES256' && header.alg !== 'RS256') {
      throw invalid('uses an algorithm that is not allowed');
    }
    // Invariant: only `at+jwt` passes, so an ID token (`typ: JWT`) is never an access token.
    if (typeof header.typ !== 'string' || !ACCEPTED_TYPES.has(header.typ.toLowerCase())) {
      throw invalid('is not an access token');
    }
    if (header.crit !== undefined) throw invalid('has unsupported critical headers');
    if (!isNonEmptyString(header.kid)) throw invalid('has no key id');
    const signed = { kid: header.kid, alg: header.alg } as const;
    headers.set(headerPart, signed);
    return signed;
  };

  /** The signature's bytes, when its spelling is the one canonical spelling for `alg`. */
  const signatureOf = (signaturePart: string, alg: SignedHeader['alg']): Buffer => {
    const signature = Buffer.from(signaturePart, 'base64url');
    if (alg === 'RS256') {
      if (signature.toString('base64url') !== signaturePart) throw invalid('is malformed');
      return signature;
    }
    // An ES256 signature is 64 bytes: exactly 86 base64url characters, nothing else.
    if (signaturePart.length !== 86 || signature.length !== 64) throw invalid('is malformed');
    // The last character carries 2 bits and 4 zero bits: only 16 spell a canonical signature.
    if (!CANONICAL_LAST.includes(signaturePart.charAt(85))) throw invalid('is malformed');
    return signature;
  };

  /** The verified claims and the key that signed them (the cache re-checks that key on a hit). */
  const verifyFresh = (
    token: string,
    nowSeconds: number,
  ): { claims: AccessTokenClaims; kid: string } => {
    if (token.length > MAX_TOKEN_LENGTH) throw invalid('is too long');
    const firstDot = token.indexOf('.');
    const lastDot = token.lastIndexOf('.');
    if (firstDot <= 0 || lastDot <= firstDot + 1 || token.indexOf('.', firstDot + 1) !== lastDot) {
      throw invalid('is malformed');
    }
    const { kid, alg } = headerOf(token.slice(0, firstDot));
    const signature = signatureOf(token.slice(lastDot + 1), alg);
    const key = keyFor(kid);
    if (!key) throw new UnknownKeyError(kid);
    // Invariant: the header's alg must be the key's own (no RSA/EC algorithm confusion).
    if (key.asymmetricKeyType !== KEY_TYPE_OF[alg]) throw invalid('names the wrong algorithm');
    const signed = verifySignature(
      'sha256',
      // The signing input is ASCII (base64url); latin1 copies it without re-encoding.
      Buffer.from(token.slice(0, lastDot), 'latin1'),
      alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
      signature,
    );
    if (!signed) throw invalid('has a bad signature');

    const claims = decodeJson(token.slice(firstDot + 1, lastDot));
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
    // Invariant: every access token Gatehouse issues (client_credentials too) names a session
    // that can be revoked; one without (only a key holder could mint it) is never accepted.
    if (!isNonEmptyString(claims.sid)) throw invalid('lacks sid');
    if (claims.iat > nowSeconds + tolerance) throw invalid('is issued in the future');
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + tolerance) {
      throw invalid('is not valid yet');
    }
    const result = claims as unknown as AccessTokenClaims;
    checkTimes(result, nowSeconds);
    return { claims: result, kid };
  };

  return {
    verify(token: string): AccessTokenClaims {
      const nowSeconds = Math.floor(options.now() / 1000);
      const signature = token.slice(token.lastIndexOf('.') + 1);
      const remembered = verified.get(signature);
      // Invariant: a remembered token passes only while its key is held (a key the JWKS
      // dropped, withdrawn after a compromise, fails its tokens at the ring's next refresh).
      if (remembered && remembered.token === token && keyFor(remembered.kid)) {
        checkTimes(remembered.claims, nowSeconds);
        return remembered.claims;
      }
      const fresh = verifyFresh(token, nowSeconds);
      verified.set(signature, { token, claims: fresh.claims, kid: fresh.kid });
      return fresh.claims;
    },
  };
};

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;
