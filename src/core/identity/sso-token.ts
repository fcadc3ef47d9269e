import { createHash, createSecretKey } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { decodeCanonicalBase64url } from '../shared/base64url';
import { toSeconds } from '../shared/clock';
import { GatehouseError } from '../shared/errors';
import type { SsoConfig } from './sso-config';

/** A verified SSO token's claims: `exp` always, the rest as the provider sent them. */
export type SsoClaims = JWTPayload & { exp: number };

const ASYMMETRIC = ['RS256', 'ES256', 'EdDSA'];
/** How far ahead of our clock a provider's `iat` may be. */
const FUTURE_IAT_SECONDS = 60;

const refused = (message: string) => new GatehouseError('token_invalid', message);

/**
 * Verifies SSO tokens: HS256 with SSO_JWT_SECRET's raw bytes (as `jsonwebtoken` signs with
 * a string), or RS256/ES256/EdDSA with SSO_JWKS_URL's keys. Keys are imported once. An access
 * token of ours (`typ: at+jwt`) is never an SSO token, and an SSO token is never an access
 * token (the authorizer takes ES256 `at+jwt` only, signed with keys no provider has).
 */
export const createSsoTokenVerifier = (config: SsoConfig, now: () => number) => {
  const sharedKey = config.jwtSecret
    ? createSecretKey(Buffer.from(config.jwtSecret, 'utf8'))
    : null;
  const providerKeys: JWTVerifyGetKey | null = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl), {
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
        timeoutDuration: 5_000,
      })
    : null;

  const verifySignature = async (token: string) => {
    if (!ssoReplayKey(token)) {
      throw refused('The SSO token is not a JWT in canonical base64url.');
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw refused('The SSO token is not a JWT.');
    }
    if (header.typ !== undefined && header.typ.toUpperCase() !== 'JWT') {
      throw refused(`An SSO token's typ must be JWT, not ${header.typ}.`);
    }
    const common = { currentDate: new Date(now()), requiredClaims: ['exp'] };
    if (header.alg === 'HS256' && sharedKey) {
      return jwtVerify(token, sharedKey, { ...common, algorithms: ['HS256'] });
    }
    if (header.alg && ASYMMETRIC.includes(header.alg) && providerKeys) {
      return jwtVerify(token, providerKeys, {
        ...common,
        algorithms: ASYMMETRIC,
        ...(config.issuer ? { issuer: config.issuer } : {}),
        ...(config.audience ? { audience: config.audience } : {}),
      });
    }
    throw refused(`SSO tokens signed with ${header.alg ?? 'no algorithm'} are not accepted.`);
  };

  return async (token: string): Promise<SsoClaims> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await verifySignature(token));
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      const code = (error as { code?: string }).code ?? '';
      throw refused(
        code === 'ERR_JWT_EXPIRED'
          ? 'The SSO token has expired.'
          : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
            ? `The SSO token's claims are not acceptable: ${(error as Error).message}`
            : 'The SSO token could not be verified.',
      );
    }
    const nowSeconds = toSeconds(now());
    if (payload.iat !== undefined) {
      if (nowSeconds - payload.iat > config.maxAgeSeconds) {
        throw refused(`The SSO token is older than ${config.maxAgeSeconds} seconds.`);
      }
      if (payload.iat - nowSeconds > FUTURE_IAT_SECONDS) {
        throw refused('The SSO token was issued in the future.');
      }
    }
    return payload as SsoClaims;
  };
};

export type SsoTokenVerifier = ReturnType<typeof createSsoTokenVerifier>;

/**
 * What makes an SSO token the same token, for replay protection: the SHA-256 of its decoded
 * header and payload, so neither another spelling nor another signature of the same content
 * passes twice. Null unless the token is three canonical base64url segments (see
 * base64url.ts), which the verifier requires before anything else.
 */
export const ssoReplayKey = (token: string): string | null => {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => part === '')) return null;
  const [header, payload, signature] = parts.map(decodeCanonicalBase64url);
  if (!header || !payload || !signature) return null;
  // Length-prefixed, so no header/payload split can imitate another.
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return createHash('sha256').update(length).update(header).update(payload).digest('base64url');
};
