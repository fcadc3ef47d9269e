import { sha256 } from '../shared/ids';
import type { LoginFailures } from '../shared/store';

export interface LockoutPolicy {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
}

/**
 * A login that names nobody has its own counter; the key hides the login itself. A login that
 * names an account counts on the account's key instead (`accountLockoutKey`), so the email and
 * the username of one person share one counter.
 */
export const lockoutKey = (normalizedLogin: string): string => sha256(`login:${normalizedLogin}`);

/**
 * The only form of a login that names nobody kept on its lock and shown to admins: a person
 * may have typed a password into the login field, so never the whole of it and never
 * whitespace. An email keeps its first 2 characters and its domain; anything else its first 2
 * characters and its length.
 */
export const maskedLogin = (login: string): string => {
  const email = /^([^\s@]+)@((?:[a-z0-9-]+\.)+[a-z]{2,})$/i.exec(login);
  const head = (text: string) => [...text].slice(0, 2).join('').replace(/\s/g, '');
  if (email) return `${head(email[1] as string)}…@${email[2]}`;
  return `${head(login)}…${[...login].length}`;
};

/** One counter per account, whatever login (email or username) named it. */
export const accountLockoutKey = (userId: string): string => sha256(`user:${userId}`);

/** Lock length after `failures`: base, doubling with each failure past the threshold, capped. */
export const lockSeconds = (failures: number, policy: LockoutPolicy): number =>
  failures < policy.threshold
    ? 0
    : Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (failures - policy.threshold));

/** When the record's lock ends (its last failure, when below the threshold). */
export const lockEnd = (record: LoginFailures, policy: LockoutPolicy): number =>
  record.lastFailureAt + lockSeconds(record.failures, policy) * 1000;

/** Seconds left in the lock, or 0 when sign-in may be tried. */
export const secondsLocked = (
  record: LoginFailures | null,
  now: number,
  policy: LockoutPolicy,
): number => {
  if (!record) return 0;
  const until = lockEnd(record, policy);
  return until > now ? Math.ceil((until - now) / 1000) : 0;
};

/** A quiet spell of `maxSeconds` after the last lock ends forgets the count. */
export const isForgotten = (record: LoginFailures | null, now: number, policy: LockoutPolicy) =>
  !record ||
  record.lastFailureAt + (lockSeconds(record.failures, policy) + policy.maxSeconds) * 1000 <= now;

/** No lock outlasts maxSeconds, so twice that bounds how long a record matters. */
export const failureRecordExpiry = (now: number, policy: LockoutPolicy): number =>
  now + 2 * policy.maxSeconds * 1000;

/**
 * The failure counts grouped by lock length, for stores that must decide "locked?" and
 * "forgotten?" inside one conditional write (DynamoDB cannot compute 2^n): counts in
 * [from, to] (to null = no end) lock for `seconds`. Below the threshold the lock is 0.
 * At most ~18 steps (base >= 1 s, max <= 1 day).
 */
export const lockSteps = (
  policy: LockoutPolicy,
): { from: number; to: number | null; seconds: number }[] => {
  const steps: { from: number; to: number | null; seconds: number }[] = [];
  if (policy.threshold > 0) steps.push({ from: 0, to: policy.threshold - 1, seconds: 0 });
  for (let failures = policy.threshold; ; failures++) {
    const seconds = lockSeconds(failures, policy);
    if (seconds >= policy.maxSeconds) {
      steps.push({ from: failures, to: null, seconds: policy.maxSeconds });
      return steps;
    }
    steps.push({ from: failures, to: failures, seconds });
  }
};

/**
 * What a store does with one failure on a record (memory store: directly; DynamoDB: the same
 * rule as conditions): start over when forgotten, count nothing while locked if asked to,
 * add one otherwise.
 */
export const nextFailures = (
  record: LoginFailures | null,
  at: number,
  policy: LockoutPolicy,
  unlessLocked: boolean,
): LoginFailures | null => {
  if (isForgotten(record, at, policy)) return { failures: 1, lastFailureAt: at };
  if (unlessLocked && secondsLocked(record, at, policy) > 0) return null;
  return { failures: (record?.failures ?? 0) + 1, lastFailureAt: at };
};
