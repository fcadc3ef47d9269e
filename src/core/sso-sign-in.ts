import { type RequestMeta, recordAudit } from './audit';
import type { CoreDeps } from './deps';
import { GatehouseError, isGatehouseError } from './errors';
import { newId } from './ids';
import { type Role, roleRank } from './roles';
import { assertMaySignIn, startSession, type TokenResponse } from './sessions';
import type { SsoConfig } from './sso-config';
import { type SsoClaims, type SsoTokenVerifier, ssoReplayKey } from './sso-token';
import { announcePending } from './user-management';
import type { AttributeSource, UserRecord } from './users';
import { displayForm, emailKey } from './users';

/** What an SSO token says of a person, read through the SSO_ATTR_* settings. */
export interface SsoProfile {
  email: string;
  name: string | null;
  groups: string[];
  attributes: Record<string, string>;
}

// Registered JWT claims, and fields a provider may never set through a claim.
const NOT_ATTRIBUTES = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'groups']);
const RESERVED = new Set(['role', 'status', 'id', 'type', 'password', 'passwordHash']);
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const MAX_ATTRIBUTES = 50;
const MAX_VALUE = 1024;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const refused = (message: string) => new GatehouseError('token_invalid', message);

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim() : null;

const attributeValue = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  const written = typeof value === 'string' ? value : JSON.stringify(value);
  return written.length <= MAX_VALUE ? written : null;
};

export const profileFromClaims = (claims: SsoClaims, config: SsoConfig): SsoProfile => {
  const { email: emailClaim, firstName, lastName } = config.attributes;
  const email = text(claims[emailClaim]);
  if (!email || email.length > 254 || !EMAIL.test(email)) {
    throw refused(`The SSO token has no usable ${emailClaim} claim.`);
  }
  const name = [text(claims[firstName]), text(claims[lastName])].filter(Boolean).join(' ');
  const groups = Array.isArray(claims.groups)
    ? [...new Set(claims.groups.filter((g): g is string => typeof g === 'string' && g !== ''))]
    : [];
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(claims)) {
    if (NOT_ATTRIBUTES.has(key) || RESERVED.has(key)) continue;
    if ([emailClaim, firstName, lastName].includes(key) || !ATTRIBUTE_NAME.test(key)) continue;
    const written = attributeValue(value);
    if (written !== null && Object.keys(attributes).length < MAX_ATTRIBUTES) {
      attributes[key] = written;
    }
  }
  return { email: displayForm(email), name: name.slice(0, 200) || null, groups, attributes };
};

/**
 * The role SSO_GROUP_MAPPINGS gives: the highest mapped group's; unmapped groups give
 * nothing; `owner` only through an explicit mapping. Null when no mapping applies (sync off,
 * or no mappings configured), so the role is left alone.
 */
export const roleFromGroups = (groups: string[], config: SsoConfig): Role | null => {
  if (!config.groupSync || Object.keys(config.groupMappings).length === 0) return null;
  const mapped = groups
    .map((group) => config.groupMappings[group])
    .filter((role): role is Role => role !== undefined);
  if (mapped.length === 0) return config.defaultRole;
  return mapped.reduce((best, role) => (roleRank(role) > roleRank(best) ? role : best));
};

/** Provider attributes replace the provider's earlier ones; an admin's stay as they are. */
const syncAttributes = (user: UserRecord, fromProvider: Record<string, string>) => {
  const sources: Record<string, AttributeSource> = { ...user.attributeSources };
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(user.attributes)) {
    // Kept unless the provider set it and no longer sends it.
    if (sources[key] !== 'sso' || key in fromProvider) attributes[key] = value;
    else delete sources[key];
  }
  for (const [key, value] of Object.entries(fromProvider)) {
    if (sources[key] === 'admin') continue;
    attributes[key] = value;
    sources[key] = 'sso';
  }
  return { attributes, attributeSources: sources };
};

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface SsoSignIn {
  tokens: TokenResponse & { browserSession?: string };
  user: UserRecord;
}

/**
 * JWT SSO (API.md): verify, accept each token once, then create, link or update the account
 * and open a session. Every refusal happens before anything is written.
 */
export const signInWithSso = async (
  deps: CoreDeps,
  verify: SsoTokenVerifier,
  token: string,
  meta: RequestMeta,
): Promise<SsoSignIn> => {
  const config = deps.config.sso;
  if (!config) throw new GatehouseError('not_found', 'SSO is not set up.');
  const failed = (reason: string, userId: string | null = null) =>
    recordAudit(deps, meta, {
      action: 'auth.sign_in',
      actorId: userId,
      targetId: userId,
      outcome: 'failure',
      detail: { method: 'sso', reason },
    });
  let claims: SsoClaims;
  let profile: SsoProfile;
  try {
    claims = await verify(token);
    profile = profileFromClaims(claims, config);
  } catch (error) {
    await failed(isGatehouseError(error) ? error.message : 'unverifiable');
    throw error;
  }
  // Once: a replayed token is refused even while it is still fresh, keyed on its decoded
  // content (any spelling, any signature of it); the verifier took canonical spellings only.
  const replayKey = `sso#${ssoReplayKey(token)}`;
  if (!(await deps.store.markOnce(replayKey, claims.exp * 1000, deps.clock.now()))) {
    await failed('replayed');
    throw refused('This SSO token has already been used.');
  }

  const mappedRole = roleFromGroups(profile.groups, config);
  const existing = await deps.store.findUserByEmail(emailKey(profile.email));
  const user = existing
    ? await updateFromProvider(deps, existing, profile, mappedRole, meta)
    : await createFromProvider(deps, profile, mappedRole ?? config.defaultRole, meta);
  try {
    assertMaySignIn(user);
  } catch (error) {
    await failed(isGatehouseError(error) ? error.code : 'refused', user.id);
    throw error;
  }
  const tokens = await startSession(deps, user, null, { browser: true });
  await recordAudit(deps, meta, {
    action: 'auth.sign_in',
    actorId: user.id,
    targetId: user.id,
    outcome: 'success',
    detail: { method: 'sso' },
  });
  return { tokens, user };
};

const createFromProvider = async (
  deps: CoreDeps,
  profile: SsoProfile,
  role: Role,
  meta: RequestMeta,
): Promise<UserRecord> => {
  const config = deps.config.sso as SsoConfig;
  const now = deps.clock.now();
  const user: UserRecord = {
    id: newId(),
    email: profile.email,
    emailKey: emailKey(profile.email),
    username: null,
    usernameKey: null,
    name: profile.name,
    role,
    status: config.newUsers,
    type: 'human',
    groups: config.groupSync ? profile.groups : [],
    attributes: profile.attributes,
    attributeSources: Object.fromEntries(
      Object.keys(profile.attributes).map((key) => [key, 'sso' as const]),
    ),
    ssoLinkedAt: now,
    passwordHash: null,
    createdAt: now,
    updatedAt: now,
    lastSignInAt: null,
  };
  try {
    await deps.store.createUser(user);
  } catch (error) {
    // Two first logins at once: the other made the account; this one signs in to it.
    if (isGatehouseError(error) && error.code === 'conflict') {
      const made = await deps.store.findUserByEmail(user.emailKey);
      if (made) return made;
    }
    throw error;
  }
  await recordAudit(deps, meta, {
    action: 'sso.account_create',
    actorId: null,
    targetId: user.id,
    detail: { role, status: user.status, groups: user.groups.join(' ') },
  });
  if (user.status === 'pending') await announcePending(deps, user);
  return user;
};

const updateFromProvider = async (
  deps: CoreDeps,
  before: UserRecord,
  profile: SsoProfile,
  mappedRole: Role | null,
  meta: RequestMeta,
): Promise<UserRecord> => {
  const config = deps.config.sso as SsoConfig;
  if (before.type === 'machine') {
    throw new GatehouseError('forbidden', 'A machine user cannot sign in through SSO.');
  }
  const now = deps.clock.now();
  const linking = !before.ssoLinkedAt;
  const after: UserRecord = {
    ...before,
    ...(profile.name ? { name: profile.name } : {}),
    ...syncAttributes(before, profile.attributes),
    ...(config.groupSync ? { groups: profile.groups } : {}),
    ...(mappedRole ? { role: mappedRole } : {}),
    ssoLinkedAt: before.ssoLinkedAt ?? now,
  };
  const changed = (['name', 'attributes', 'groups', 'role'] as const).filter(
    (field) => !sameJson(before[field], after[field]),
  );
  if (!linking && changed.length === 0) return before;
  let saved: UserRecord = { ...after, updatedAt: Math.max(now, before.updatedAt + 1) };
  try {
    await deps.store.updateUser(before, saved);
  } catch (error) {
    // The provider may not demote the last active owner: keep the role, apply the rest.
    if (!(isGatehouseError(error) && error.code === 'conflict' && after.role !== before.role)) {
      throw error;
    }
    saved = { ...saved, role: before.role };
    await deps.store.updateUser(before, saved);
    await recordAudit(deps, meta, {
      action: 'sso.role_change',
      actorId: null,
      targetId: before.id,
      outcome: 'failure',
      detail: { from_role: before.role, to_role: after.role, reason: 'last_owner' },
    });
  }
  if (linking) {
    await recordAudit(deps, meta, {
      action: 'sso.account_link',
      actorId: null,
      targetId: before.id,
    });
  }
  if (saved.role !== before.role) {
    // As for any role change: the user's earlier tokens stop within the revocation bound.
    await deps.store.revokeUserSessions(before.id, now);
    await recordAudit(deps, meta, {
      action: 'sso.role_change',
      actorId: null,
      targetId: before.id,
      detail: { from_role: before.role, to_role: saved.role },
    });
  }
  if (!sameJson(before.groups, saved.groups)) {
    await recordAudit(deps, meta, {
      action: 'sso.groups_change',
      actorId: null,
      targetId: before.id,
      detail: {
        added: saved.groups.filter((g) => !before.groups.includes(g)).join(' '),
        removed: before.groups.filter((g) => !saved.groups.includes(g)).join(' '),
      },
    });
  }
  return saved;
};
