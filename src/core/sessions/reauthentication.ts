import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { UserRecord } from '../users/users';
import { accountLockoutKey } from './lockout';
import { takePasswordAttempt } from './password-attempt';

/**
 * A signed-in user proving it is still them (a password change, deleting the account): under
 * the same lockout as sign-in, so a stolen access token cannot guess the password. A wrong
 * password is 403 `forbidden` (API.md), not a failed sign-in.
 */
export const assertCurrentPassword = async (
  deps: CoreDeps,
  user: UserRecord,
  password: string,
): Promise<void> => {
  if (!user.passwordHash) {
    throw new GatehouseError(
      'forbidden',
      'This account has no password (it signs in through SSO): ask an admin.',
    );
  }
  // The account's counter, as sign-in uses: the attempt is counted before bcrypt runs.
  const key = accountLockoutKey(user.id);
  const locked = await takePasswordAttempt(deps, key);
  if (locked > 0) {
    throw new GatehouseError(
      'too_many_attempts',
      `Too many wrong passwords. Try again in ${locked} seconds.`,
      locked,
    );
  }
  if (await deps.hasher.verify(password, user.passwordHash)) {
    await deps.store.clearLoginFailures(key);
    return;
  }
  throw new GatehouseError('forbidden', 'The current password is incorrect.');
};

/** What a request offers as step-up proof (API.md "Proof (step-up)"). */
export interface StepUpProof {
  /** The body's `password`, if given. */
  password?: string;
  /** When the caller's session was signed in (its createdAt); null: no session (an API token). */
  authTime: number | null;
}

/**
 * Step-up for an account-changing request (`PATCH /me {email}`): the current password (a wrong
 * one is 403 and counts toward the lockout), or a sign-in within REAUTH_MAX_AGE_SECONDS. A
 * stolen access token alone, older than that, changes nothing. The contract's answer for no
 * proof is 403 `mfa_required` with an `mfa_token`; without MFA there is no token to give, so
 * it is 403 `forbidden` saying what to send.
 */
export const assertStepUp = async (
  deps: CoreDeps,
  user: UserRecord,
  proof: StepUpProof,
): Promise<void> => {
  if (proof.password !== undefined) {
    await assertCurrentPassword(deps, user, proof.password);
    return;
  }
  const maxAge = deps.config.reauthMaxAgeSeconds * 1000;
  if (proof.authTime !== null && deps.clock.now() - proof.authTime <= maxAge) return;
  throw new GatehouseError(
    'forbidden',
    'This change needs proof: send your current password as "password", or sign in again.',
  );
};
