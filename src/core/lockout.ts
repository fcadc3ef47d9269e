import { sha256 } from './ids';
import type { LoginFailures } from './store';

export interface LockoutPolicy {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
}

/** Failures are counted per login, whether or not it exists; the key hides the login itself. */
export const lockoutKey = (normalizedLogin: string): string => sha256(`login:${normalizedLogin}`);

/** Lock length after `failures`: base, doubling with each failure past the threshold, capped. */
export const lockSeconds = (failures: number, policy: LockoutPolicy): number =>
  failures < policy.threshold
    ? 0
    : Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (failures - policy.threshold));

/** Seconds left in the lock, or 0 when sign-in may be tried. */
export const secondsLocked = (
  record: LoginFailures | null,
  now: number,
  policy: LockoutPolicy,
): number => {
  if (!record) return 0;
  const until = record.lastFailureAt + lockSeconds(record.failures, policy) * 1000;
  return until > now ? Math.ceil((until - now) / 1000) : 0;
};

/** A quiet spell of `maxSeconds` after the last lock ends forgets the count. */
export const isForgotten = (record: LoginFailures | null, now: number, policy: LockoutPolicy) =>
  !record ||
  record.lastFailureAt + (lockSeconds(record.failures, policy) + policy.maxSeconds) * 1000 <= now;

/** No lock outlasts maxSeconds, so twice that bounds how long a record matters. */
export const failureRecordExpiry = (now: number, policy: LockoutPolicy): number =>
  now + 2 * policy.maxSeconds * 1000;
