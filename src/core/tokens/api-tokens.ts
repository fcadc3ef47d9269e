import { type RequestMeta, recordAudit } from '../audit/audit';
import { sessionAmr } from '../sessions/session-facts';
import { toIso } from '../shared/clock';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { type CredentialOrigin, madeInSession } from '../users/credential-lineage';
import { isAtLeast } from '../users/roles';
import { type Actor, assertCanManage, mayHandleTokensOf } from '../users/user-policy';
import type { UserRecord } from '../users/users';
import { apiTokenDigest, newApiTokenSecret } from './api-token-secret';

/** An API token as stored: never its secret, only the SHA-256 (`hash`). */
export interface ApiTokenRecord {
  tokenId: string;
  hash: string;
  name: string;
  /** null: unscoped, the owner's full current grants. */
  scopes: string[] | null;
  userId: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  /** What a renewal adds again, from the moment of renewal. */
  lifetimeSeconds: number | null;
  renewable: boolean;
  lastUsedAt: number | null;
  /** Where the use stamped in lastUsedAt came from (the caller's IP and user agent); absent: unknown. */
  lastUsedFrom?: { ip: string | null; userAgent: string | null };
  revokedAt: number | null;
  /** The origin of the session that made it (credential-lineage.ts); absent: unknown. */
  origin?: CredentialOrigin;
  /**
   * Whether the credential that made it had verified a second factor (its session's `amr` has
   * `mfa`, or the token it was made with had this flag). Absent (made before it was recorded): no.
   */
  mfaAtCreation?: boolean;
}

/** The flat record of the contract; `token` only in the creation answer. */
export interface PublicApiToken {
  token_id: string;
  name: string;
  scopes: string[] | null;
  user_id: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  renewable: boolean;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface NewApiToken {
  name: string;
  scopes?: string[];
  expires_in?: number;
  user_id?: string;
  renewable?: boolean;
}

type UserActor = Extract<Actor, { kind: 'user' }>;

const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

export const toPublicApiToken = (token: ApiTokenRecord): PublicApiToken => ({
  token_id: token.tokenId,
  name: token.name,
  scopes: token.scopes,
  user_id: token.userId,
  created_by: token.createdBy,
  created_at: toIso(token.createdAt),
  expires_at: isoOrNull(token.expiresAt),
  renewable: token.renewable,
  last_used_at: isoOrNull(token.lastUsedAt),
  revoked_at: isoOrNull(token.revokedAt),
});

const forbidden = (message: string) => new GatehouseError('forbidden', message);
const invalid = (message: string) => new GatehouseError('record_invalid', message);
const notFound = () => new GatehouseError('not_found', 'No such token.');

/** The user a new token acts as: the caller, or a machine user the caller manages. */
const tokenOwner = async (
  deps: CoreDeps,
  actor: UserActor,
  userId?: string,
): Promise<UserRecord> => {
  if (!userId || userId === actor.user.id) return actor.user;
  const target = await deps.store.getUser(userId);
  if (!target) throw new GatehouseError('not_found', 'No such user.');
  if (target.type !== 'machine') {
    throw forbidden('Tokens for someone else can only be made for machine users.');
  }
  assertCanManage(actor, target);
  return target;
};

/** The credential a request came in with: its session (`sid`), else its API token. */
export interface MintingCredential {
  sid: string;
  tokenId: string | null;
}

/**
 * Whether the credential minting a token had verified a second factor: the caller's live
 * session's `amr` has `mfa`, or the API token it uses was itself made so (`mfaAtCreation`).
 */
const mintedWithMfa = async (
  deps: CoreDeps,
  actor: UserActor,
  credential: MintingCredential,
): Promise<boolean> => {
  if (credential.sid) {
    const session = await deps.store.getSession(credential.sid);
    return (
      session?.userId === actor.user.id &&
      session.revokedAt === null &&
      sessionAmr(session).includes('mfa')
    );
  }
  if (!credential.tokenId) return false;
  const token = await deps.store.getApiToken(credential.tokenId);
  return token?.userId === actor.user.id && token.mfaAtCreation === true;
};

/**
 * Makes a token. Scoped tokens carry a subset of the creator's current grants (and of the
 * calling token's scopes); unscoped ones carry the owner's full grants at each use. It records
 * whether its maker's credential verified a factor (MFA_REQUIRED_ROLES, api-token-judge.ts).
 */
export const createApiToken = async (
  deps: CoreDeps,
  actor: UserActor,
  callerScopes: readonly string[],
  input: NewApiToken,
  meta: RequestMeta,
  /** Unknown (a test's, a script's): made without a factor, so held back under the policy. */
  credential: MintingCredential,
): Promise<{ token: string } & PublicApiToken> => {
  const [owner, mfaAtCreation] = await Promise.all([
    tokenOwner(deps, actor, input.user_id),
    mintedWithMfa(deps, actor, credential),
  ]);
  const known = new Set(deps.scopes.owner);
  const creatorGrants = new Set(deps.scopes[actor.user.role]);
  const ownerGrants = new Set(deps.scopes[owner.role]);
  const max = deps.config.apiTokenMaxTtlSeconds;
  if (input.scopes) {
    const unknown = input.scopes.filter((scope) => !known.has(scope));
    if (unknown.length) throw invalid(`scopes: unknown scope ${unknown.join(', ')}.`);
    const beyond = input.scopes.filter(
      (scope) =>
        !creatorGrants.has(scope) || !ownerGrants.has(scope) || !callerScopes.includes(scope),
    );
    if (beyond.length)
      throw forbidden(`These scopes are beyond your grants: ${beyond.join(', ')}.`);
    if (input.expires_in !== undefined && input.expires_in > max) {
      throw invalid(`expires_in: a scoped token lives at most ${max} seconds.`);
    }
  } else if (deps.scopes[actor.user.role].some((scope) => !callerScopes.includes(scope))) {
    // A token made with a narrower token cannot be broader than it.
    throw forbidden('An unscoped token can only be made with a token that holds all your grants.');
  }
  const lifetime = input.expires_in ?? (input.scopes ? max : null);
  const now = deps.clock.now();
  const secret = newApiTokenSecret();
  const record: ApiTokenRecord = {
    ...apiTokenDigest(secret),
    name: input.name,
    scopes: input.scopes ? [...new Set(input.scopes)] : null,
    userId: owner.id,
    createdBy: actor.user.id,
    createdAt: now,
    expiresAt: lifetime === null ? null : now + lifetime * 1000,
    lifetimeSeconds: lifetime,
    renewable: input.renewable ?? false,
    lastUsedAt: null,
    revokedAt: null,
    origin: madeInSession(actor.origin),
    mfaAtCreation,
  };
  await deps.store.createApiToken(record);
  await recordAudit(deps, meta, {
    action: 'token.create',
    actorId: actor.user.id,
    actorTokenId: actor.tokenId,
    targetId: owner.id,
    detail: { token_id: record.tokenId, scoped: record.scopes !== null },
  });
  return { token: secret, ...toPublicApiToken(record) };
};

/** The token, if the caller may know it: its user, its creator, or an admin. */
const visibleToken = async (deps: CoreDeps, actor: UserActor, tokenId: string) => {
  const token = await deps.store.getApiToken(tokenId);
  const mayKnow =
    token && (mayHandleTokensOf(actor, token.userId) || token.createdBy === actor.user.id);
  if (!mayKnow) throw notFound();
  return token;
};

export const getApiToken = async (deps: CoreDeps, actor: UserActor, tokenId: string) =>
  toPublicApiToken(await visibleToken(deps, actor, tokenId));

export const revokeApiToken = async (
  deps: CoreDeps,
  actor: UserActor,
  tokenId: string,
  meta: RequestMeta,
): Promise<void> => {
  const token = await visibleToken(deps, actor, tokenId);
  if (token.revokedAt !== null) return;
  await deps.store.revokeApiToken(tokenId, deps.clock.now());
  await recordAudit(deps, meta, {
    action: 'token.revoke',
    actorId: actor.user.id,
    actorTokenId: actor.tokenId,
    targetId: token.userId,
    detail: { token_id: tokenId },
  });
};

/** The user page's Revoke: a token of this user only (any other is 404), then the usual rule. */
export const revokeUserApiToken = async (
  deps: CoreDeps,
  actor: UserActor,
  userId: string,
  tokenId: string,
  meta: RequestMeta,
): Promise<void> => {
  const token = await deps.store.getApiToken(tokenId);
  if (token?.userId !== userId) throw notFound();
  await revokeApiToken(deps, actor, tokenId, meta);
};

export const renewApiToken = async (
  deps: CoreDeps,
  actor: UserActor,
  tokenId: string,
  meta: RequestMeta,
): Promise<PublicApiToken> => {
  const token = await visibleToken(deps, actor, tokenId);
  const now = deps.clock.now();
  if (!token.renewable) throw new GatehouseError('conflict', 'This token is not renewable.');
  if (token.revokedAt !== null) throw new GatehouseError('conflict', 'This token is revoked.');
  const lifetime = Math.min(
    token.lifetimeSeconds ?? deps.config.apiTokenMaxTtlSeconds,
    deps.config.apiTokenMaxTtlSeconds,
  );
  const renewed = await deps.store.renewApiToken(tokenId, now + lifetime * 1000);
  if (!renewed) throw new GatehouseError('conflict', 'This token is revoked.');
  await recordAudit(deps, meta, {
    action: 'token.renew',
    actorId: actor.user.id,
    actorTokenId: actor.tokenId,
    targetId: token.userId,
    detail: { token_id: tokenId },
  });
  return toPublicApiToken(renewed);
};

type TokenQuery = { all?: boolean; include_revoked?: boolean; limit?: number; cursor?: string };

/** The console's reading of a token: the contract's record and where its last use came from. */
export type ApiTokenView = PublicApiToken & {
  last_used_from: { ip: string | null; user_agent: string | null } | null;
};

const toApiTokenView = (token: ApiTokenRecord): ApiTokenView => ({
  ...toPublicApiToken(token),
  last_used_from: token.lastUsedFrom
    ? { ip: token.lastUsedFrom.ip, user_agent: token.lastUsedFrom.userAgent }
    : null,
});

export const listApiTokens = async (deps: CoreDeps, actor: UserActor, query: TokenQuery) => {
  const listing = await listApiTokenViews(deps, actor, query);
  return {
    tokens: listing.tokens.map(({ last_used_from: _, ...token }): PublicApiToken => token),
    next_cursor: listing.next_cursor,
  };
};

/** The tokens the caller may list (theirs; every one for an admin asking `all`), as the console shows them. */
export const listApiTokenViews = async (
  deps: CoreDeps,
  actor: UserActor,
  query: TokenQuery,
): Promise<{ tokens: ApiTokenView[]; next_cursor: string | null }> => {
  if (query.all && !isAtLeast(actor.user.role, 'admin')) {
    throw forbidden('Only admins list every token.');
  }
  const userId = query.all ? null : actor.user.id;
  const filters = JSON.stringify([userId, Boolean(query.include_revoked)]);
  const page = await deps.store.listApiTokens({
    userId,
    includeRevoked: Boolean(query.include_revoked),
    limit: query.limit ?? 50,
    ...(query.cursor ? { after: await decodeCursor(deps, query.cursor, filters) } : {}),
  });
  return {
    tokens: page.items.map(toApiTokenView),
    next_cursor: page.next ? await encodeCursor(deps, page.next, filters) : null,
  };
};
