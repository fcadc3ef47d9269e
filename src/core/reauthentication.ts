import type { CoreDeps } from './deps';
import { GatehouseError } from './errors';
import { accountLockoutKey } from './lockout';
import { takePasswordAttempt } from './password-attempt';
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
