import { heldScopes, sessionTokenScopes } from '../oauth/oauth-scopes';
import { credentialVersionOf } from '../sessions/credential-version';
import { isImportableRefreshToken } from '../sessions/imported-refresh';
import type { CoreDeps } from '../shared/deps';
import { sha256 } from '../shared/ids';
import type { UserRecord } from '../users/users';
import type { AccessTokenClaims } from './access-tokens';
import { findApiToken } from './api-token-judge';
import { looksLikeApiToken } from './api-token-secret';

/** RFC 7662 with the contract's fields; anything not active is exactly `{active: false}`. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      sub: string;
      username: string | null;
      email: string;
      role: string;
      scope: string;
      token_type: 'access_token' | 'refresh_token' | 'api_token';
      token_id: string;
      user_type: string;
      iss: string;
      iat: number;
      exp?: number;
      renewable: boolean;
      /** RFC 7662: the client an access token was issued to, when one was. */
      client_id?: string;
    };

export const INACTIVE = { active: false } as const;

const seconds = (ms: number) => Math.floor(ms / 1000);

/** A token the service issued, found and checked: whose it is, and what it is. */
export type FoundToken =
  | { kind: 'access_token'; claims: AccessTokenClaims; user: UserRecord }
  | {
      kind: 'refresh_token';
      sid: string;
      /** The client the session was issued to; null for a sign-in's. */
      clientId: string | null;
      user: UserRecord;
      createdAt: number;
      /** Null for an imported credential, which has no expiry of its own. */
      expiresAt: number | null;
      /** The session's granted OAuth scope (absent: the role's grants). */
      scope?: string[];
    }
  | {
      kind: 'api_token';
      tokenId: string;
      user: UserRecord;
      scopes: string[];
      createdAt: number;
      expiresAt: number | null;
      renewable: boolean;
      /** RFC 7662: the client an access token was issued to, when one was. */
      client_id?: string;
    };

const activeUser = async (deps: CoreDeps, userId: string) => {
  const user = await deps.store.getUser(userId);
  return user?.status === 'active' ? user : null;
};

const findLiveRefreshToken = async (
  deps: CoreDeps,
  token: string,
  now: number,
): Promise<FoundToken | null> => {
  const record = await deps.store.getRefreshToken(sha256(token));
  if (!record || record.usedAt !== null || record.expiresAt <= now) return null;
  const session = await deps.store.getSession(record.sid);
  if (!session || session.revokedAt !== null) return null;
  // A deleted client's token is dead at once, even before its sessions are all revoked.
  if (session.clientId !== null && !(await deps.store.getClient(session.clientId))) return null;
  const user = await activeUser(deps, record.userId);
  // A session from before the user's credentials moved is over, swept or not (sessions.ts).
  if (!user || credentialVersionOf(session) !== credentialVersionOf(user)) return null;
  return {
    kind: 'refresh_token',
    sid: record.sid,
    clientId: session.clientId,
    ...(session.scope ? { scope: session.scope } : {}),
    user,
    createdAt: record.createdAt,
    // An imported credential has no expiry of its own (imported-refresh.ts).
    expiresAt: record.imported ? null : record.expiresAt,
  };
};

/**
 * Finds any token Gatehouse issued and answers it only while it works: an access token whose
 * session lives, a refresh token not yet rotated, an API token not revoked or expired, each
 * of an active user. `verifyAccessToken` checks a JWT as the authorizer does.
 */
export const findLiveToken = async (
  deps: CoreDeps,
  token: string,
  verifyAccessToken: (token: string) => Promise<AccessTokenClaims>,
): Promise<FoundToken | null> => {
  const now = deps.clock.now();
  if (looksLikeApiToken(token)) {
    // The one judge the authorizer uses too (api-token-judge.ts).
    const verdict = await findApiToken(deps, token);
    if (!verdict.valid) return null;
    const { token: record, owner: user } = verdict;
    return {
      kind: 'api_token',
      tokenId: record.tokenId,
      user,
      scopes: verdict.scopes,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      renewable: record.renewable,
    };
  }
  if (token.startsWith('srt_')) return findLiveRefreshToken(deps, token, now);
  let claims: AccessTokenClaims;
  try {
    claims = await verifyAccessToken(token);
  } catch {
    // Not one of our JWTs: perhaps a refresh token an import stored, of any spelling.
    return isImportableRefreshToken(token) ? findLiveRefreshToken(deps, token, now) : null;
  }
  // The verifier refuses a token without `sid`: every token found has a live session.
  const session = await deps.store.getSession(claims.sid);
  if (!session || session.revokedAt !== null) return null;
  const user = await activeUser(deps, claims.sub);
  return user ? { kind: 'access_token', claims, user } : null;
};

/** The client a found token was issued to: null for a sign-in's tokens and API tokens. */
export const issuedToClient = (found: FoundToken): string | null => {
  if (found.kind === 'access_token') return found.claims.client_id ?? null;
  if (found.kind === 'refresh_token') return found.clientId;
  return null;
};

/**
 * RFC 7662. `onlyClient`: the caller is a third-party client, which learns only about tokens
 * issued to itself (anything else answers `{active: false}`, as an unknown token does); a
 * first-party confidential client (a resource server) or a bearer with tokens:introspect
 * passes none.
 */
export const introspectToken = async (
  deps: CoreDeps,
  token: string,
  verifyAccessToken: (token: string) => Promise<AccessTokenClaims>,
  onlyClient: string | null = null,
): Promise<Introspection> => {
  const found = await findLiveToken(deps, token, verifyAccessToken);
  if (!found) return INACTIVE;
  if (onlyClient !== null && issuedToClient(found) !== onlyClient) return INACTIVE;
  const { user } = found;
  const common = {
    active: true as const,
    sub: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    user_type: user.type,
    iss: deps.config.issuerUrl,
  };
  switch (found.kind) {
    case 'access_token':
      return {
        ...common,
        // What the token can still do: its scope within the user's current grants.
        scope: found.claims.scope
          .split(' ')
          .filter((s) => heldScopes(deps.scopes, user.role).includes(s))
          .join(' '),
        token_type: 'access_token',
        token_id: found.claims.jti,
        iat: found.claims.iat,
        exp: found.claims.exp,
        renewable: false,
        ...(found.claims.client_id ? { client_id: found.claims.client_id } : {}),
      };
    case 'refresh_token':
      return {
        ...common,
        scope: sessionTokenScopes(deps.scopes, user.role, found.scope).join(' '),
        token_type: 'refresh_token',
        token_id: found.sid,
        iat: seconds(found.createdAt),
        ...(found.expiresAt === null ? {} : { exp: seconds(found.expiresAt) }),
        renewable: false,
      };
    case 'api_token':
      return {
        ...common,
        scope: found.scopes.join(' '),
        token_type: 'api_token',
        token_id: found.tokenId,
        iat: seconds(found.createdAt),
        ...(found.expiresAt === null ? {} : { exp: seconds(found.expiresAt) }),
        renewable: found.renewable,
      };
  }
};
