import type { CoreDeps } from '../shared/deps';
import type { LockHolder } from '../shared/store';
import { failureRecordExpiry, secondsLocked } from './lockout';

/**
 * Takes one password attempt for a lockout key BEFORE bcrypt runs: the attempt is counted as
 * a failure up front, in one conditional write that also refuses it while the key is locked,
 * and a right password clears the count afterwards (the caller's job). So:
 * - a locked key costs no bcrypt and gets the seconds left (429 with Retry-After);
 * - of N parallel guesses, the store serializes the writes: only the first `threshold` see an
 *   unlocked record, so at most `threshold` bcrypt checks run (the lock then holds them off),
 *   and every guess that ran is already counted, whatever happens to the process afterwards;
 * - no count is read and written back, so none is lost.
 * Answers the seconds the key is still locked: 0 means go ahead and check the password.
 */
export const takePasswordAttempt = async (
  deps: CoreDeps,
  key: string,
  holder: LockHolder,
): Promise<number> => (await takeCountedAttempt(deps, key, holder)).lockedSeconds;

/** As takePasswordAttempt, with the key's failure count after this attempt (an mfa_token's). */
export const takeCountedAttempt = async (
  deps: CoreDeps,
  key: string,
  /** Whose counter it is: kept with a lock, so the lockouts view can name it. */
  holder: LockHolder,
): Promise<{ lockedSeconds: number; failures: number }> => {
  const { store, clock, config } = deps;
  const at = clock.now();
  const outcome = await store.recordLoginFailure(key, {
    at,
    expiresAt: failureRecordExpiry(at, config.lockout),
    policy: config.lockout,
    unlessLocked: true,
    holder,
  });
  // A refused attempt always has a lock left (at least one second).
  const lockedSeconds = outcome.counted
    ? 0
    : Math.max(1, secondsLocked(outcome, at, config.lockout));
  return { lockedSeconds, failures: outcome.failures };
};
