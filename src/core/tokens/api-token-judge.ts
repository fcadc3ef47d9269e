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

/** What bounds a token's scopes at each use: the role grants, and MFA_REQUIRED_ROLES. */
export interface ApiTokenPolicy {
  catalog: ScopeCatalog;
  mfaRequiredRoles: readonly Role[];
}

/**
 * MFA_REQUIRED_ROLES on API tokens, as on sessions (mfa-policy.ts): a human owner of such a role
 * gets nothing from a token whose maker verified no factor. Machine users are not held back: a
 * machine user cannot have a factor, and its tokens are made by an admin whose own session met
 * the policy (a token needs the maker's grants, which a held-back session does not carry).
 */
const heldBackForMfa = (policy: ApiTokenPolicy, token: ApiTokenRecord, owner: ApiTokenOwner) =>
  owner.type === 'human' &&
  policy.mfaRequiredRoles.includes(owner.role) &&
  token.mfaAtCreation !== true;

/** Shape and checksum, then the digest: no lookup for a typo or a forgery. */
export const parseApiToken = (secret: string): { hash: string; tokenId: string } | null =>
  isWellFormedApiToken(secret) ? apiTokenDigest(secret) : null;

const sameHash = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Valid only when the presented hash matches in constant time, the token is neither revoked
 * nor expired and its owner exists and is active; its scopes are capped by the owner's grants
 * at this moment, so a demotion shrinks every token at once; under MFA_REQUIRED_ROLES a token
 * made without a factor is valid with no scopes (identity only, as a held-back session).
 * Pure: no I/O, no clock.
 */
export const judgeApiToken = <O extends ApiTokenOwner>(
  policy: ApiTokenPolicy,
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
  // Invariant: a raise to (or a policy on) an MFA-required role gives no grant to a token its
  // maker made without a factor, scoped or not.
  if (heldBackForMfa(policy, token, owner)) return { valid: true, token, owner, scopes: [] };
  const grants = policy.catalog[owner.role];
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
  const policy = { catalog: deps.scopes, mfaRequiredRoles: deps.config.mfaRequiredRoles };
  return judgeApiToken(policy, parsed.hash, token ? { token, owner } : null, deps.clock.now());
};
