import { createHash } from 'node:crypto';
import type { ClientRecord } from '../oauth/clients';
import { type UserClaims, userClaims } from '../oauth/userinfo-claims';
import { sessionAmr, sessionAuthTime } from '../sessions/sessions';
import { toSeconds } from '../shared/clock';
import type { CoreDeps } from '../shared/deps';
import type { SessionRecord } from '../shared/store';
import type { UserRecord } from '../users/users';
import { signJwt } from './jwt-signing';
import type { SigningAlg } from './signing-keys';

/** OpenID Connect Core 1.0 §2 ID token claims, as the contract lists them. */
interface IdTokenClaims extends UserClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  auth_time: number;
  azp: string;
  amr: string[];
  at_hash: string;
  nonce?: string;
}

/** Not `at+jwt`: the access-token verifier refuses this type, so an ID token is never a bearer. */
export const ID_TOKEN_TYPE = 'JWT';

/** The hash of each signing algorithm (a new algorithm must name its own here). */
const HASH_OF: Record<SigningAlg, string> = { ES256: 'sha256', RS256: 'sha256' };

/** OIDC Core 3.1.3.6: the left half of the hash of the access token's ASCII, base64url. */
export const accessTokenHash = (accessToken: string, alg: SigningAlg): string => {
  const digest = createHash(HASH_OF[alg]).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
};

/** The ID token alg a client registered (id_token_signed_response_alg), RS256 by default. */
const idTokenAlgOf = (client: ClientRecord): SigningAlg =>
  client.idTokenSignedResponseAlg ?? 'RS256';

interface IdTokenGrant {
  user: UserRecord;
  session: SessionRecord;
  client: ClientRecord;
  /** The scopes the access token carries. */
  scopes: readonly string[];
  accessToken: string;
  /** The authorization request's nonce (code grant only; never on a refresh). */
  nonce?: string;
  now: number;
}

/**
 * The claims of an ID token: the session's sign-in facts (sub, auth_time, amr stay the same
 * on refresh) and the user's profile as stored now, by scope.
 */
const idTokenClaims = (deps: CoreDeps, grant: IdTokenGrant, alg: SigningAlg): IdTokenClaims => {
  const { user, session, client, scopes } = grant;
  const iat = toSeconds(grant.now);
  return {
    // The same claims userinfo answers, from the user as stored now (one mapping).
    ...userClaims(user, scopes),
    iss: deps.config.issuerUrl,
    sub: user.id,
    // Invariant: the audience is the client the session was issued to, which redeemed the grant.
    aud: client.clientId,
    exp: iat + deps.config.accessTokenTtlSeconds,
    iat,
    auth_time: toSeconds(sessionAuthTime(session)),
    azp: client.clientId,
    amr: sessionAmr(session),
    at_hash: accessTokenHash(grant.accessToken, alg),
    ...(grant.nonce ? { nonce: grant.nonce } : {}),
  };
};

/**
 * The `id_token` of a token answer: only for a session issued to a client, with `openid`
 * granted; a client-less session (a sign-in, /auth/refresh) or client_credentials gets none.
 */
export const issueIdToken = async (
  deps: CoreDeps,
  grant: Omit<IdTokenGrant, 'client'> & { client: ClientRecord | null },
): Promise<string | null> => {
  const { client, session } = grant;
  if (!client || session.clientId !== client.clientId || !grant.scopes.includes('openid')) {
    return null;
  }
  const alg = idTokenAlgOf(client);
  return signJwt(
    await deps.signer(alg),
    ID_TOKEN_TYPE,
    idTokenClaims(deps, { ...grant, client }, alg),
  );
};
