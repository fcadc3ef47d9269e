import type { CoreDeps } from './deps';
import { GatehouseError } from './errors';
import { failureRecordExpiry, isForgotten, lockoutKey, secondsLocked } from './lockout';
import type { UserRecord } from './users';

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
  const { store, clock, hasher, config } = deps;
  if (!user.passwordHash) {
    throw new GatehouseError(
      'forbidden',
      'This account has no password (it signs in through SSO): ask an admin.',
    );
  }
  const key = lockoutKey(user.emailKey);
  const failures = await store.getLoginFailures(key);
  const locked = secondsLocked(failures, clock.now(), config.lockout);
  if (locked > 0) {
    throw new GatehouseError(
      'too_many_attempts',
      `Too many wrong passwords. Try again in ${locked} seconds.`,
      locked,
    );
  }
  if (await hasher.verify(password, user.passwordHash)) {
    if (failures) await store.clearLoginFailures(key);
    return;
  }
  const now = clock.now();
  await store.recordLoginFailure(key, {
    at: now,
    startOver: isForgotten(failures, now, config.lockout),
    expiresAt: failureRecordExpiry(now, config.lockout),
  });
  throw new GatehouseError('forbidden', 'The current password is incorrect.');
};
