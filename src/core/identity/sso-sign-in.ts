import { type RequestMeta, recordAudit } from '../audit/audit';
import { assertMaySignIn, startSession, type TokenResponse } from '../sessions/sessions';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError, isGatehouseError } from '../shared/errors';
import { type Role, roleRank } from '../users/roles';
import type { UserRecord } from '../users/users';
import { displayForm } from '../users/users';
import {
  type FederatedLogin,
  planLink,
  removeCredentialsForTakeover,
  ssoLogin,
} from './account-linking';
import { loginPolicyFor, roleFromGroups } from './login-policy';
import { type LinkHandoff, type PendingLink, startPendingLink } from './pending-link';
import { findLinkOrCreate } from './sso-account';
import type { SsoConfig } from './sso-config';
import { type SsoClaims, type SsoTokenVerifier, ssoReplayKey } from './sso-token';

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
  const outcome = await ssoSignInOrConfirm(deps, verify, token, meta, null);
  if ('pending' in outcome) throw new GatehouseError('internal', 'unreachable');
  return outcome;
};

/**
 * The browser's SSO callback: as `signInWithSso`, but a login that would link an admin or
 * owner account by email alone (409 elsewhere) becomes a pending link the hosted page
 * `/link-account` finishes with the account's password (pending-link.ts). `handoff` null:
 * no page can ask, so 409.
 */
export const ssoSignInOrConfirm = async (
  deps: CoreDeps,
  verify: SsoTokenVerifier,
  token: string,
  meta: RequestMeta,
  handoff: LinkHandoff | null,
): Promise<SsoSignIn | { pending: PendingLink }> => {
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

  const login = ssoLogin(token, claims, profile.email);
  return signInFederated(deps, login, profile, meta, handoff, 'sso');
};

/**
 * A federated login whose token the caller has verified and spent (JWT SSO, an OIDC
 * provider): account linking, the provider's policy for roles and groups, then a session.
 * `handoff` null: no hosted page can ask for an admin's password, so such a link is 409.
 */
export const signInFederated = async (
  deps: CoreDeps,
  login: FederatedLogin,
  profile: SsoProfile,
  meta: RequestMeta,
  handoff: LinkHandoff | null,
  method: 'sso' | 'oidc',
): Promise<SsoSignIn | { pending: PendingLink }> => {
  const failed = (reason: string, userId: string | null = null) =>
    recordAudit(deps, meta, {
      action: 'auth.sign_in',
      actorId: userId,
      targetId: userId,
      outcome: 'failure',
      detail: { method, reason, provider: login.identity.provider },
    });
  const mappedRole = roleFromGroups(
    profile.groups,
    loginPolicyFor(deps.config, login.identity.provider),
  );
  if (handoff) {
    const plan = await planLink(deps, login);
    if (plan.kind === 'confirm') {
      const pending = await startPendingLink(
        deps,
        plan.user,
        login,
        profile,
        mappedRole,
        handoff,
        meta,
      );
      return { pending };
    }
  }
  const { user, cleanUp } = await findLinkOrCreate(deps, login, profile, mappedRole, meta);
  try {
    assertMaySignIn(user);
  } catch (error) {
    await failed(isGatehouseError(error) ? error.code : 'refused', user.id);
    throw error;
  }
  const tokens = await startSession(deps, user, null, { browser: true, origin: 'sso' });
  if (cleanUp) {
    // Again after the new session: one a concurrent sign-in opened with an old password dies.
    const sid = tokens.browserSession?.split('.')[0];
    await removeCredentialsForTakeover(deps, user.id, deps.clock.now(), sid);
  }
  await recordAudit(deps, meta, {
    action: 'auth.sign_in',
    actorId: user.id,
    targetId: user.id,
    outcome: 'success',
    detail: { method, provider: login.identity.provider },
  });
  return { tokens, user };
};
