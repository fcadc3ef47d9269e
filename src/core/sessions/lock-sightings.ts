/**
 * Lockout keys this instance saw locked, and until when: only a hint of where sign-in spends
 * bcrypt. A key seen locked skips the bcrypt begun before the store answers, so a hammered
 * locked key costs one refused conditional write per attempt, not one bcrypt. The store still
 * decides every answer: a lock cleared meanwhile (a reset, an MFA finish) gets its bcrypt after.
 */
export interface LockSightings {
  isLocked(key: string, now: number): boolean;
  saw(key: string, lockedUntil: number): void;
}

/** At most `maxSize` keys; past it the map starts over (a lost sighting costs one bcrypt). */
export const createLockSightings = (maxSize = 10_000): LockSightings => {
  const until = new Map<string, number>();
  return {
    isLocked(key, now) {
      const end = until.get(key);
      if (end === undefined) return false;
      if (end > now) return true;
      until.delete(key);
      return false;
    },
    saw(key, lockedUntil) {
      if (until.size >= maxSize) until.clear();
      until.set(key, lockedUntil);
    },
  };
};
