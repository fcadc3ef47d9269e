import type { CoreDeps } from '../shared/deps';
import type { UserRecord } from '../users/users';
import { sessionAmr } from './session-facts';

/**
 * Whether the caller's session `sid` (live, this user's) verified a factor: a pending factor
 * started before the user had one is confirmed by a session without it only as the first.
 */
export const sessionVerifiedFactor = async (deps: CoreDeps, user: UserRecord, sid: string) => {
  const session = sid ? await deps.store.getSession(sid) : null;
  const live = session?.userId === user.id && session.revokedAt === null;
  return live && sessionAmr(session).includes('mfa');
};

/**
 * The session in which its user confirmed their FIRST factor (a code from it, or a key's
 * registration) carries that factor's `otp` or `hwk` and `mfa` from then on: under
 * MFA_REQUIRED_ROLES its next page load and refresh have the role's grants (API.md, MFA), and
 * its step-ups take the password again (reauthentication.ts). Invariant B: a session gains
 * `mfa` only by verifying a factor or by confirming the first one itself (only one confirm is
 * first: the store's confirm is conditional on the factor count); marked in one conditional
 * write on the live session, its refresh token kept.
 */
export const markFirstFactorSession = async (
  deps: CoreDeps,
  user: UserRecord,
  sid: string,
  /** What the confirming proof adds (RFC 8176): `otp` for a TOTP code, `hwk` for a key. */
  method: 'otp' | 'hwk',
): Promise<void> => {
  const session = sid ? await deps.store.getSession(sid) : null;
  if (session?.userId !== user.id) return;
  await deps.store.addSessionAmr(sid, [method, 'mfa'], deps.clock.now());
};
