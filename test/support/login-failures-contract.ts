import { describe, expect, it } from 'vitest';
import { type LockoutPolicy, nextFailures } from '../../src/core/sessions/lockout';
import type { LoginFailures, Store } from '../../src/core/shared/store';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const policy: LockoutPolicy = { threshold: 5, baseSeconds: 30, maxSeconds: 900 };
const never: LockoutPolicy = { threshold: 100, baseSeconds: 30, maxSeconds: 900 };

const fail = (store: Store, key: string, at: number, unlessLocked = false, rule = policy) =>
  store.recordLoginFailure(key, { at, expiresAt: at + HOUR, policy: rule, unlessLocked });

/**
 * The store's half of the lockout (finding 5): every failure is counted by one atomic write,
 * even when many arrive at once, and "locked?" / "forgotten?" are decided inside that write.
 */
export const loginFailuresContract = (fresh: () => Promise<Store>) => {
  describe('login failures', () => {
    it('counts, starts over after a quiet spell and clears', async () => {
      const store = await fresh();
      expect(await store.getLoginFailures('k')).toBeNull();
      expect(await fail(store, 'k', T0)).toEqual({ failures: 1, lastFailureAt: T0, counted: true });
      await fail(store, 'k', T0 + 1);
      expect(await fail(store, 'k', T0 + 2)).toEqual({
        failures: 3,
        lastFailureAt: T0 + 2,
        counted: true,
      });
      expect(await store.getLoginFailures('k')).toEqual({ failures: 3, lastFailureAt: T0 + 2 });
      // Below the threshold the quiet spell is maxSeconds after the last failure.
      expect((await fail(store, 'k', T0 + 2 + 900_000 - 1)).failures).toBe(4);
      expect((await fail(store, 'k', T0 + 2 + 2 * 900_000)).failures).toBe(1);
      await store.clearLoginFailures('k');
      expect(await store.getLoginFailures('k')).toBeNull();
      await store.clearLoginFailures('never-failed');
    });

    it('counts 50 failures arriving at once as 50, from the very first', async () => {
      const store = await fresh();
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => fail(store, 'c', T0)));
      expect(outcomes.every((o) => o.counted)).toBe(true);
      expect(outcomes.map((o) => o.failures).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      expect((await store.getLoginFailures('c'))?.failures).toBe(50);
      // The same with the lock check on, under a threshold the burst does not reach.
      await Promise.all(Array.from({ length: 50 }, () => fail(store, 'd', T0, true, never)));
      expect((await store.getLoginFailures('d'))?.failures).toBe(50);
    });

    it('lets exactly threshold of 50 parallel attempts through while locking, and counts them', async () => {
      const store = await fresh();
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => fail(store, 'p', T0, true)),
      );
      expect(outcomes.filter((o) => o.counted)).toHaveLength(policy.threshold);
      for (const refused of outcomes.filter((o) => !o.counted)) {
        expect(refused.failures).toBe(policy.threshold);
      }
      expect((await store.getLoginFailures('p'))?.failures).toBe(policy.threshold);
    });

    it('refuses while locked, lets one through when the lock ends, then locks longer', async () => {
      const store = await fresh();
      for (let i = 0; i < 5; i++) await fail(store, 'l', T0, true);
      expect(await fail(store, 'l', T0 + 29_999, true)).toEqual({
        failures: 5,
        lastFailureAt: T0,
        counted: false,
      });
      const ended = T0 + 30_000;
      const burst = await Promise.all(
        Array.from({ length: 10 }, () => fail(store, 'l', ended, true)),
      );
      expect(burst.filter((o) => o.counted)).toEqual([
        { failures: 6, lastFailureAt: ended, counted: true },
      ]);
      expect((await fail(store, 'l', ended + 59_999, true)).counted).toBe(false);
      // Without the lock check, a failure is counted even while locked.
      expect(await fail(store, 'l', ended + 1)).toMatchObject({ failures: 7, counted: true });
    });

    it('starts over once when many failures arrive after a quiet spell', async () => {
      const store = await fresh();
      for (let i = 0; i < 7; i++) await fail(store, 'q', T0);
      const later = T0 + 2 * HOUR;
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => fail(store, 'q', later, false, never)),
      );
      expect(outcomes.every((o) => o.counted)).toBe(true);
      expect((await store.getLoginFailures('q'))?.failures).toBe(20);
    });

    it('releases exactly one attempt, never below zero, never recreating a cleared record', async () => {
      const store = await fresh();
      for (let i = 0; i < 3; i++) await fail(store, 'r', T0 + i);
      await store.releaseLoginAttempt('r');
      expect(await store.getLoginFailures('r')).toEqual({ failures: 2, lastFailureAt: T0 + 2 });
      // Fifty releases at once against two failures: two are taken back, none past zero.
      await Promise.all(Array.from({ length: 50 }, () => store.releaseLoginAttempt('r')));
      expect((await store.getLoginFailures('r'))?.failures).toBe(0);
      // A count taken back to zero still counts from there, and the lock comes back with it.
      for (let i = 0; i < 5; i++) await fail(store, 'r', T0 + 10, true);
      expect((await fail(store, 'r', T0 + 11, true)).counted).toBe(false);
      await store.releaseLoginAttempt('r');
      expect(await fail(store, 'r', T0 + 12, true)).toMatchObject({ failures: 5, counted: true });
      await store.clearLoginFailures('r');
      await store.releaseLoginAttempt('r');
      await store.releaseLoginAttempt('never-failed');
      expect(await store.getLoginFailures('r')).toBeNull();
      expect(await store.getLoginFailures('never-failed')).toBeNull();
    });

    it("decides as the core rule does at each lock step's edges", async () => {
      const store = await fresh();
      // Around the threshold: the first lock's end (30 s), the second's (60 s), and the quiet
      // spell after each (+900 s).
      const cases = [4, 5, 6].flatMap((failures) =>
        [29_999, 30_000, 60_000, 899_999, 930_000, 960_000].flatMap((gap) =>
          [true, false].map((unlessLocked) => ({ failures, gap, unlessLocked })),
        ),
      );
      await Promise.all(
        cases.map(async ({ failures, gap, unlessLocked }) => {
          const key = `e${failures}-${gap}-${unlessLocked}`;
          for (let i = 0; i < failures; i++) await fail(store, key, T0);
          const before: LoginFailures = { failures, lastFailureAt: T0 };
          const expected = nextFailures(before, T0 + gap, policy, unlessLocked);
          expect(await fail(store, key, T0 + gap, unlessLocked)).toEqual(
            expected ? { ...expected, counted: true } : { ...before, counted: false },
          );
        }),
      );
    });
  });
};
