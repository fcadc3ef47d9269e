import { timingSafeEqual } from 'node:crypto';
import type { CoreDeps } from '../shared/deps';
import type { Role, ScopeCatalog } from '../users/roles';
import type { UserStatus, UserType } from '../users/users';
import { apiTokenDigest, isWellFormedApiToken } from './api-token-secret';
import type { ApiTokenRecord } from './api-tokens';

/**
 * The one judge of an API token (`sat_…`): the authorizer (with its cache), introspection,
 * revocation and so every handler's principal decide through it, so they never disagree.
 */

/** What the judge needs of the token's owner, as stored now. */
export interface ApiTokenOwner {
  role: Role;
  status: UserStatus;
  type: UserType;
}

/** A stored token and its owner now (null once the owner is deleted). */
export interface ApiTokenStanding<O extends ApiTokenOwner = ApiTokenOwner> {
  token: ApiTokenRecord;
  owner: O | null;
}

export type ApiTokenVerdict<O extends ApiTokenOwner = ApiTokenOwner> =
  | { valid: true; token: ApiTokenRecord; owner: O; scopes: string[] }
  | { valid: false; reason: 'invalid' | 'expired' };

const INVALID = { valid: false, reason: 'invalid' } as const;

/** Shape and checksum, then the digest: no lookup for a typo or a forgery. */
export const parseApiToken = (secret: string): { hash: string; tokenId: string } | null =>
  isWellFormedApiToken(secret) ? apiTokenDigest(secret) : null;

const sameHash = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Valid only when the presented hash matches in constant time, the token is neither revoked
 * nor expired and its owner exists and is active; its scopes are capped by the owner's grants
 * at this moment, so a demotion shrinks every token at once. Pure: no I/O, no clock.
 */
export const judgeApiToken = <O extends ApiTokenOwner>(
  catalog: ScopeCatalog,
  presentedHash: string,
  standing: ApiTokenStanding<O> | null,
  now: number,
): ApiTokenVerdict<O> => {
  const token = standing?.token;
  const owner = standing?.owner;
  if (!token || !owner || owner.status !== 'active') return INVALID;
  if (!sameHash(token.hash, presentedHash) || token.revokedAt !== null) return INVALID;
  if (token.expiresAt !== null && token.expiresAt <= now) {
    return { valid: false, reason: 'expired' };
  }
  const grants = catalog[owner.role];
  const scopes =
    token.scopes === null ? [...grants] : token.scopes.filter((s) => grants.includes(s));
  return { valid: true, token, owner, scopes };
};

/** The judge over the store: for introspection, revocation and anything not on the hot path. */
export const findApiToken = async (deps: CoreDeps, secret: string) => {
  const parsed = parseApiToken(secret);
  if (!parsed) return INVALID;
  const token = await deps.store.getApiToken(parsed.tokenId);
  const owner = token ? await deps.store.getUser(token.userId) : null;
  return judgeApiToken(deps.scopes, parsed.hash, token ? { token, owner } : null, deps.clock.now());
};
