import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { CoreDeps } from '../shared/deps';
import { publishedJwks } from '../tokens/signing-keys';

/** Who an ID token this service issued names: its user and the client it was issued to. */
export interface IdTokenHint {
  sub: string;
  clientId: string;
  /** Its `auth_time` (seconds): the sign-in it was issued after; null if it has none. */
  authTime: number | null;
}

const MAX_TOKEN_LENGTH = 8192;
const ALGORITHMS = ['RS256', 'ES256'];

const payloadOf = (bytes: Uint8Array): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
};

const audiencesOf = (aud: unknown): string[] =>
  typeof aud === 'string'
    ? [aud]
    : Array.isArray(aud)
      ? aud.filter((a) => typeof a === 'string')
      : [];

/**
 * RP-initiated logout's `id_token_hint`: an ID token (`typ: JWT`, so never an access token)
 * signed by one of the published keys, from this issuer. Past `exp` is accepted (RP-Initiated
 * Logout 1.0 §2: the hint may be expired), a bad signature never. Null when it is none of ours.
 */
export const verifyIdTokenHint = async (
  deps: CoreDeps,
  token: string,
): Promise<IdTokenHint | null> => {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const jwks = createLocalJWKSet((await publishedJwks(deps)) as unknown as JSONWebKeySet);
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(token, jwks, { algorithms: ALGORITHMS });
  } catch {
    return null;
  }
  if (verified.protectedHeader.typ !== 'JWT') return null;
  const claims = payloadOf(verified.payload);
  if (!claims || claims.iss !== deps.config.issuerUrl) return null;
  if (typeof claims.sub !== 'string' || claims.sub === '') return null;
  const audiences = audiencesOf(claims.aud);
  // OIDC Core §2: with several audiences, `azp` names the client the token was issued to.
  const clientId =
    typeof claims.azp === 'string' ? claims.azp : audiences.length === 1 ? audiences[0] : null;
  if (!clientId || !audiences.includes(clientId)) return null;
  const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : null;
  return { sub: claims.sub, clientId, authTime };
};
