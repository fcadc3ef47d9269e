import fc from 'fast-check';
import { expect, vi } from 'vitest';
import { activityDashboard } from '../../src/core/activity/dashboard';
import {
  ACTIVITY_METRICS,
  type ActivityCounts,
  type ActivityMetric,
} from '../../src/core/activity/metrics';
import { windowStart } from '../../src/core/activity/windows';
import { noRequest } from '../../src/core/audit/audit';
import { lockSeconds, nextFailures } from '../../src/core/sessions/lockout';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { LoginFailures, Store } from '../../src/core/shared/store';
import { createUser } from '../../src/core/users/user-management';
import { createTokenUseCounter } from '../../src/http/token-use-counter';
import { testDeps } from './core-deps';
import { confirmedTotp } from './mfa-fixtures';
import { propertyRuns } from './property-runs';
import { createUserWithPassword, PASSWORD } from './users';

/** Steps at random times: most a few minutes apart, some hours, a few days (40 days in all). */
const step = fc.record({
  op: fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({ kind: fc.constant('signIn' as const), right: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('mfa' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('createUser' as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('tokenUses' as const),
        uses: fc.integer({ min: 1, max: 5 }),
      }),
    },
  ),
  advanceSeconds: fc.oneof(
    fc.integer({ min: 0, max: 120 }),
    fc.integer({ min: 0, max: 6 * 3600 }),
    fc.integer({ min: 0, max: 4 * 86_400 }),
  ),
});

const POLICY = { LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_SECONDS: '60', LOCKOUT_MAX_SECONDS: '600' };

/**
 * For any sequence of sign-ins (right and wrong, so locks begin and hold), MFA challenges, users
 * created and token uses at random times over about 40 days, the dashboard's hourly and daily
 * series and its 24 h totals equal a count of what the sequence did, window by window.
 */
export const activityProperty = async (fresh: () => Promise<Store>, runs: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const deps = testDeps(POLICY, await fresh());
      const policy = deps.config.lockout;
      const member = await createUserWithPassword(deps, { email: 'kim@activity.test' });
      const guarded = await createUserWithPassword(deps, { email: 'mfa@activity.test' });
      await confirmedTotp(deps, guarded);
      const tokenUses = createTokenUseCounter({
        write: (windows, counts) => deps.store.addActivity(windows, counts),
        intervalMs: 3_600_000,
        now: deps.clock.now,
        onLost: (error) => {
          throw error;
        },
      });
      // The model: counts per hour and per day window, and the account's failure record.
      const expected = new Map<string, ActivityCounts>();
      const count = (at: number, metric: ActivityMetric) => {
        for (const key of [`hour#${windowStart('hour', at)}`, `day#${windowStart('day', at)}`]) {
          const counts = expected.get(key) ?? {};
          counts[metric] = (counts[metric] ?? 0) + 1;
          expected.set(key, counts);
        }
      };
      let failures: LoginFailures | null = null;
      let users = 0;
      for (const { op, advanceSeconds } of steps) {
        deps.clock.advance(advanceSeconds);
        const at = deps.clock.now();
        if (op.kind === 'signIn') {
          const outcome = await signInWithPassword(deps, {
            login: member.email,
            password: op.right ? PASSWORD : 'wrong password!',
          }).then(
            () => 'ok',
            (error: { code: string }) => error.code,
          );
          const next = nextFailures(failures, at, policy, true);
          if (next === null) {
            expect(outcome).toBe('too_many_attempts');
            count(at, 'failed_sign_ins');
          } else if (op.right) {
            expect(outcome).toBe('ok');
            count(at, 'sign_ins');
            failures = null;
          } else {
            expect(outcome).toBe('invalid_credentials');
            failures = next;
            count(at, 'failed_sign_ins');
            if (lockSeconds(next.failures, policy) > 0) count(at, 'lockouts');
          }
        } else if (op.kind === 'mfa') {
          const outcome = await signInWithPassword(deps, {
            login: guarded.email,
            password: PASSWORD,
          }).catch((error: { code: string }) => error.code);
          expect(outcome).toBe('mfa_required');
          count(at, 'mfa_challenges');
        } else if (op.kind === 'createUser') {
          users++;
          await createUser(
            deps,
            { kind: 'operator', name: 'property' },
            { email: `new${users}@activity.test`, role: 'viewer' },
            noRequest,
          );
          count(at, 'new_users');
        } else {
          for (let i = 0; i < op.uses; i++) {
            tokenUses.note(at);
            count(at, 'token_uses');
          }
          await tokenUses.flush();
        }
      }
      await tokenUses.flush();

      // Counts are started, never awaited by the requests: read until they have all landed.
      await vi.waitFor(
        async () => {
          const board = await activityDashboard(deps);
          for (const series of [board.hours, board.days]) {
            for (const { start, counts } of series.windows) {
              expect(counts, `${series.granularity} ${start}`).toEqual(
                expected.get(`${series.granularity}#${start}`) ?? {},
              );
            }
          }
          const last24h = Object.fromEntries(ACTIVITY_METRICS.map((metric) => [metric, 0]));
          for (const { start } of board.hours.windows) {
            for (const [metric, n] of Object.entries(expected.get(`hour#${start}`) ?? {})) {
              last24h[metric] = (last24h[metric] ?? 0) + n;
            }
          }
          expect(board.last24h).toEqual(last24h);
        },
        { timeout: 5000, interval: 20 },
      );
    }),
    { numRuns: propertyRuns(runs), endOnFailure: true },
  );
};
