import type { LoginEntry } from '../shared/store';
import type { UserRecord } from '../users/users';
import type { PasswordHasher } from './password-hasher';

/** A sign-in's bcrypt, started before the user item is read. */
export interface PasswordCheck {
  /** Settles when the bcrypt started early is done (a refusal waits for it: same timing). */
  settled: Promise<void>;
  /** Whether the password is `user`'s, as read in this sign-in (null: nobody). */
  against(user: UserRecord | null): Promise<boolean>;
}

/**
 * Starts the one bcrypt of a sign-in as soon as the login item is read: against its hint of
 * the user's hash, or the dummy hash for a login naming nobody or an account without a
 * password, so an unknown login, no password and a wrong password all cost one bcrypt begun
 * at the same moment. It runs beside the second read (user item, counted attempt, factors):
 * bcrypt hides that read. An item from before hints (no `passwordHashHint`) starts nothing:
 * its check waits for the user item, as sign-in did before.
 */
export const startPasswordCheck = (
  hasher: PasswordHasher,
  password: string,
  entry: LoginEntry | null,
): PasswordCheck => {
  const hint = entry?.passwordHashHint;
  const unhinted = entry !== null && hint === undefined;
  const early: Promise<boolean> | null = unhinted
    ? null
    : hint
      ? hasher.verify(password, hint)
      : hasher.verifyDummy(password);
  return {
    settled: early ? early.then(() => undefined) : Promise.resolve(),
    async against(user) {
      const earlyVerdict = await early;
      if (!user?.passwordHash) {
        // One bcrypt on every path, even when the early one could not start.
        if (early === null) await hasher.verifyDummy(password);
        return false;
      }
      // Invariant: a password is accepted only if it verifies against the hash on the user
      // item read in this sign-in. The hint is never trusted: a verdict on it counts only
      // when it is that very hash; otherwise (stale, absent) bcrypt runs again on the user's.
      if (early !== null && hint === user.passwordHash) return earlyVerdict === true;
      return hasher.verify(password, user.passwordHash);
    },
  };
};
