import { requireSecondFactor } from '../mfa/second-factor-gate';
import type { CoreDeps } from '../shared/deps';
import type { SessionRecord } from '../shared/store';
import type { UserRecord } from '../users/users';
import { credentialVersionOf } from './credential-version';
import { sessionAmr } from './session-facts';

/** What a session held back by MFA_REQUIRED_ROLES carries: who it is, nothing more. */
const HELD_BACK = ['profile'];

/** MFA_REQUIRED_ROLES holds the session back: the user's role needs MFA, its sign-in had none. */
export const heldBackForMfa = (deps: CoreDeps, user: UserRecord, session: SessionRecord): boolean =>
  deps.config.mfaRequiredRoles.includes(user.role) && !sessionAmr(session).includes('mfa');

/**
 * The scopes a session's access token carries under MFA_REQUIRED_ROLES. Invariant: a user of
 * such a role gets only `profile` from a session whose sign-in verified no second factor,
 * whatever path opened it (API, password grant, code flow, SSO, federation): every session
 * token's scope is computed through here, at issue and at each refresh.
 */
export const policyScopes = (
  deps: CoreDeps,
  user: UserRecord,
  session: SessionRecord,
  scopes: string[],
): string[] => (heldBackForMfa(deps, user, session) ? [...HELD_BACK] : scopes);

/**
 * What a browser session may do on the hosted pages: its user's role grants, under
 * MFA_REQUIRED_ROLES as every token's scope is. Invariant: a held-back session gets no more on
 * a page than its access token would (red team, issue 15: the console minted API tokens).
 */
export const sessionGrants = (deps: CoreDeps, user: UserRecord, session: SessionRecord) =>
  policyScopes(deps, user, session, [...deps.scopes[user.role]]);

/**
 * The refresh of a held-back session once the user has a confirmed factor: 403 `mfa_required`
 * with an mfa_token whose verify renews this same session (`reauth`, same sid) with `mfa` in
 * its amr and so the full grants. Invariant: a refresh never grants `mfa` (nor the grants it
 * unlocks) on a factor this session did not verify; a factor enrolled elsewhere (or by the
 * user while a thief holds this session) proves nothing about this session's holder.
 */
export const requireFactorForHeldBackSession = async (
  deps: CoreDeps,
  user: UserRecord,
  session: SessionRecord,
): Promise<void> => {
  if (!heldBackForMfa(deps, user, session)) return;
  await requireSecondFactor(deps, user.id, {
    method: 'reauth',
    clientId: session.clientId,
    sid: session.sid,
    amr: sessionAmr(session),
    credentialVersion: credentialVersionOf(user),
  });
};
