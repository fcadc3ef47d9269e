import fc from 'fast-check';
import { expect } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import { accountLockoutKey, lockoutKey, secondsLocked } from '../../src/core/sessions/lockout';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { Store } from '../../src/core/shared/store';
import { clearLoginLock, clearUserLock, listLockouts } from '../../src/core/users/user-lockouts';
import type { Actor } from '../../src/core/users/user-policy';
import { loginKey } from '../../src/core/users/users';
import { testDeps } from './core-deps';
import { createUserWithPassword, PASSWORD } from './users';

const ACCOUNT_LOGINS = ['kim@example.com', 'kim'];
const GHOST = 'ghost@example.com';
const LOGINS = [...ACCOUNT_LOGINS, GHOST];

type Step =
  | { kind: 'try'; login: number; right: boolean; parallel: number }
  | { kind: 'clear'; login: number; racing: number }
  | { kind: 'wait'; seconds: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('try' as const),
      login: fc.integer({ min: 0, max: LOGINS.length - 1 }),
      right: fc.boolean(),
      parallel: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 5 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('clear' as const),
      login: fc.integer({ min: 0, max: LOGINS.length - 1 }),
      // Wrong guesses sent at the same moment as the clear.
      racing: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      seconds: fc.constantFrom(1, 29, 30, 31, 60, 100, 250),
    }),
  },
);

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code: string }) => error.code,
  );

/**
 * Invariant: over any sequence of wrong and right sign-ins (alone or in bursts), clears (alone
 * or racing wrong guesses) and clock moves, the lockouts view lists exactly the logins that
 * sign-in refuses as locked: a listed login's right password is refused, an unlisted one's
 * counter is not locked.
 */
export const lockoutsViewProperty = async (newStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      const deps = testDeps(
        { LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_SECONDS: '30', LOCKOUT_MAX_SECONDS: '100' },
        await newStore(),
      );
      const policy = deps.config.lockout;
      const owner = await createUserWithPassword(deps, { role: 'owner', email: 'o@example.com' });
      const actor: Actor = { kind: 'user', user: owner, tokenId: null };
      const user = await createUserWithPassword(deps, {
        email: 'kim@example.com',
        username: 'kim',
      });
      const keyOf = (login: string) =>
        login === GHOST ? lockoutKey(loginKey(GHOST).key) : accountLockoutKey(user.id);
      const wrong = (login: string) =>
        outcome(signInWithPassword(deps, { login, password: 'wrong password!' }));
      for (const s of steps) {
        if (s.kind === 'wait') {
          deps.clock.advance(s.seconds);
        } else if (s.kind === 'clear') {
          const login = LOGINS[s.login] as string;
          const clear =
            login === GHOST
              ? clearLoginLock(deps, actor, lockoutKey(loginKey(GHOST).key), noRequest)
              : clearUserLock(deps, actor, user.id, noRequest);
          await Promise.all([clear, ...Array.from({ length: s.racing }, () => wrong(login))]);
        } else {
          const login = LOGINS[s.login] as string;
          const right = s.right && login !== GHOST;
          await Promise.all(
            Array.from({ length: right ? 1 : s.parallel }, () =>
              right
                ? outcome(signInWithPassword(deps, { login, password: PASSWORD }))
                : wrong(login),
            ),
          );
        }
        const listed = new Set((await listLockouts(deps, actor)).locks.map((lock) => lock.key));
        for (const login of [ACCOUNT_LOGINS[0] as string, GHOST]) {
          const key = keyOf(login);
          const locked =
            secondsLocked(await deps.store.getLoginFailures(key), deps.clock.now(), policy) > 0;
          expect({ login, listed: listed.has(key) }).toEqual({ login, listed: locked });
          if (listed.has(key) && login !== GHOST) {
            expect(await outcome(signInWithPassword(deps, { login, password: PASSWORD }))).toBe(
              'too_many_attempts',
            );
          }
        }
        expect(listed.size).toBeLessThanOrEqual(2);
      }
    }),
    { numRuns },
  );
};
