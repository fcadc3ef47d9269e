import fc from 'fast-check';
import { expect } from 'vitest';
import {
  accountLockoutKey,
  lockoutKey,
  nextFailures,
  secondsLocked,
} from '../../src/core/sessions/lockout';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { LoginFailures, Store } from '../../src/core/shared/store';
import { loginKey } from '../../src/core/users/users';
import { testDeps } from './core-deps';
import { createUserWithPassword, PASSWORD } from './users';

// Several logins name the same account (email in any case, username); one names nobody.
const ACCOUNT_LOGINS = ['kim@example.com', ' KIM@Example.COM', 'kim'];
const GHOST = 'ghost@example.com';
const LOGINS = [...ACCOUNT_LOGINS, GHOST];

type Step =
  | { kind: 'try'; login: number; right: boolean; parallel: number }
  | { kind: 'wait'; seconds: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('try' as const),
      login: fc.integer({ min: 0, max: LOGINS.length - 1 }),
      right: fc.boolean(),
      parallel: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 8 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      seconds: fc.constantFrom(1, 29, 30, 31, 60, 100, 130, 250, 400),
    }),
  },
);

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code: string }) => error.code,
  );

/**
 * Invariant (finding 5): under any interleaving of wrong and right passwords (alone or in
 * parallel bursts), by any login naming the account, and of waits: no failure is ever lost
 * (the stored count is exactly what a sequential model says), and no attempt passes a lock
 * (a locked account answers 429 whatever the password, after the same one bcrypt).
 */
export const lockoutProperty = async (newStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
      const deps = testDeps(
        { LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_SECONDS: '30', LOCKOUT_MAX_SECONDS: '100' },
        await newStore(),
      );
      const policy = deps.config.lockout;
      const user = await createUserWithPassword(deps, {
        email: 'kim@example.com',
        username: 'kim',
      });
      const keyOf = (login: string) =>
        login === GHOST ? lockoutKey(loginKey(GHOST).key) : accountLockoutKey(user.id);
      const model = new Map<string, LoginFailures | null>();
      let bcrypts = 0;
      const verify = deps.hasher.verify.bind(deps.hasher);
      const dummy = deps.hasher.verifyDummy.bind(deps.hasher);
      deps.hasher.verify = (...args) => {
        bcrypts++;
        return verify(...args);
      };
      deps.hasher.verifyDummy = (...args) => {
        bcrypts++;
        return dummy(...args);
      };

      for (const s of steps) {
        if (s.kind === 'wait') {
          deps.clock.advance(s.seconds);
          continue;
        }
        const login = LOGINS[s.login] as string;
        const key = keyOf(login);
        const right = s.right && login !== GHOST;
        // Bursts are of wrong guesses; a right password comes alone (the order of a right
        // one among wrong ones of the same instant is the scheduler's, not the model's).
        const parallel = right ? 1 : s.parallel;
        const before = model.get(key) ?? null;
        bcrypts = 0;
        const answers = await Promise.all(
          Array.from({ length: parallel }, () =>
            outcome(
              signInWithPassword(deps, { login, password: right ? PASSWORD : 'wrong password!' }),
            ),
          ),
        );
        // The sequential model at the same instant: each attempt is taken or refused.
        let state = before;
        let taken = 0;
        for (let i = 0; i < parallel; i++) {
          const next = nextFailures(state, deps.clock.now(), policy, true);
          if (next) {
            taken++;
            state = next;
          }
        }
        const refused = answers.filter((a) => a === 'too_many_attempts').length;
        // Every attempt runs at most one bcrypt, begun on the login item's hint beside the
        // counted attempt (sign-in-password-check.ts), none once this instance saw the key
        // locked (lock-sightings.ts); a locked one learns nothing: only the `taken` attempts
        // get a password verdict (checked next), each after its one bcrypt.
        expect(refused).toBe(parallel - taken);
        expect(bcrypts).toBeGreaterThanOrEqual(taken);
        expect(bcrypts).toBeLessThanOrEqual(parallel);
        expect(answers.filter((a) => a !== 'too_many_attempts')).toEqual(
          Array(taken).fill(right ? 'ok' : 'invalid_credentials'),
        );
        model.set(key, right && taken > 0 ? null : state);
        const stored = await deps.store.getLoginFailures(key);
        expect(stored).toEqual(model.get(key) ?? null);
        // Lock never skipped: while the model says locked, even the right password is 429.
        if (secondsLocked(stored, deps.clock.now(), policy) > 0 && key !== keyOf(GHOST)) {
          expect(await outcome(signInWithPassword(deps, { login, password: PASSWORD }))).toBe(
            'too_many_attempts',
          );
        }
      }
    }),
    { numRuns },
  );
};
