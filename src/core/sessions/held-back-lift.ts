import type { CoreDeps } from '../shared/deps';
import type { SessionRecord } from '../shared/store';
import type { UserRecord } from '../users/users';
import { credentialVersionOf } from './credential-version';
import { accountLockoutKey } from './lockout';
import { heldBackForMfa } from './mfa-policy';
import { sessionAmr } from './session-facts';
import { newRefreshToken, refreshRecord } from './sessions';

/**
 * MFA_REQUIRED_ROLES' enrolment walk (API.md, MFA): the held-back session in which its user
 * confirmed a factor (a code from it, or a key's registration) carries its `otp` or `hwk` and `mfa` from then on, so
 * its next page load (and refresh) has the role's grants. Invariant: only the session that
 * verified the confirming code is lifted, live and at the user's credential version, in one
 * conditional write that starts a new refresh generation; a factor confirmed elsewhere lifts
 * no other session (mfa-policy.ts requireFactorForHeldBackSession).
 */
export const liftHeldBackSession = async (
  deps: CoreDeps,
  user: UserRecord,
  session: SessionRecord,
  /** What the confirming proof adds (RFC 8176): `otp` for a TOTP code, `hwk` for a key. */
  method: 'otp' | 'hwk',
): Promise<boolean> => {
  if (session.userId !== user.id || !heldBackForMfa(deps, user, session)) return false;
  const now = deps.clock.now();
  return deps.store.renewSession({
    refresh: {
      ...refreshRecord(newRefreshToken(), session, now),
      generation: (session.refreshGeneration ?? 0) + 1,
    },
    credentialVersion: credentialVersionOf(user),
    authTime: now,
    amr: [...new Set([...sessionAmr(session), method, 'mfa'])],
    clearLoginFailures: accountLockoutKey(user.id),
  });
};
