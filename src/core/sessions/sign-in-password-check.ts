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
 * the user's hash, or the dummy hash for a login naming nobody, an account without a password
 * or an item from before hints, so every path (unknown, locked, no password, wrong password)
 * costs one bcrypt begun at the same moment. It runs beside the second read (user item,
 * counted attempt, factors): bcrypt hides that read.
 */
export const startPasswordCheck = (
  hasher: PasswordHasher,
  password: string,
  entry: LoginEntry | null,
  { early: startEarly }: { early: boolean } = { early: true },
): PasswordCheck => {
  const hint = entry?.passwordHashHint;
  // Invariant: exactly one bcrypt starts here on every path, and every answer awaits it;
  // unless the caller knows the key locked (lock-sightings.ts), when none starts early and
  // every path that is not a lockout runs its one bcrypt in `against`, whoever the login names.
  const early: Promise<boolean> | null = !startEarly
    ? null
    : hint
      ? hasher.verify(password, hint)
      : hasher.verifyDummy(password);
  return {
    settled: early ? early.then(() => undefined) : Promise.resolve(),
    async against(user) {
      if (early === null) {
        if (!user?.passwordHash) return hasher.verifyDummy(password).then(() => false);
        return hasher.verify(password, user.passwordHash);
      }
      const earlyVerdict = await early;
      if (!user?.passwordHash) return false;
      // Invariant: a password is accepted only if it verifies against the hash on the user
      // item read in this sign-in. The hint is never trusted: a verdict on it counts only
      // when it is that very hash; otherwise (stale, absent) bcrypt runs again on the user's,
      // only once the attempt is counted and unlocked (the caller asks only then).
      if (hint === user.passwordHash) return earlyVerdict;
      return hasher.verify(password, user.passwordHash);
    },
  };
};
