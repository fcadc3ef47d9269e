import fc from 'fast-check';
import { expect } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import {
  confirmTotp,
  enrolTotp,
  regenerateRecoveryCodes,
  removeFactor,
  verifyMfaCode,
} from '../../src/core/mfa';
import { totpStep } from '../../src/core/mfa/totp';
import type { Store } from '../../src/core/shared/store';
import { testDeps } from './core-deps';
import { passwordMfaToken } from './mfa-fixtures';
import { totpCodeAt } from './totp-codes';
import { createUserWithPassword } from './users';

type Step =
  | { kind: 'enrol' }
  | { kind: 'confirm'; pending: number }
  | { kind: 'totp'; factor: number; drift: -1 | 0 | 1; token: number; parallel: number }
  | { kind: 'replay'; token: number; parallel: number }
  | { kind: 'recovery'; code: number; token: number; parallel: number }
  | { kind: 'wrong'; token: number }
  | { kind: 'regenerate' }
  | { kind: 'remove'; factor: number }
  | { kind: 'wait'; seconds: number };

const index = fc.nat({ max: 7 });
/** Which mfa_token: 0 a fresh one, n an earlier one (spent, expired or not). */
const tokenChoice = fc.nat({ max: 4 });
const parallel = fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 3 }));

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'enrol' as const }),
  fc.record({ kind: fc.constant('confirm' as const), pending: index }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('totp' as const),
      factor: index,
      drift: fc.constantFrom(-1 as const, 0 as const, 1 as const),
      token: tokenChoice,
      parallel,
    }),
  },
  fc.record({ kind: fc.constant('replay' as const), token: tokenChoice, parallel }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('recovery' as const),
      code: fc.nat({ max: 29 }),
      token: tokenChoice,
      parallel,
    }),
  },
  fc.record({ kind: fc.constant('wrong' as const), token: tokenChoice }),
  fc.constant({ kind: 'regenerate' as const }),
  fc.record({ kind: fc.constant('remove' as const), factor: index }),
  fc.record({
    kind: fc.constant('wait' as const),
    seconds: fc.constantFrom(1, 29, 30, 31, 90, 299, 301, 601),
  }),
);

interface Factor {
  factorId: string;
  secret: string;
  confirmed: boolean;
  removed: boolean;
  lastStep: number;
  enrolledAt: number;
}

/**
 * Over random sequences of enrolments, confirmations, right, wrong and replayed codes at random
 * times (alone or as concurrent duplicates), recovery codes old and new, regenerations,
 * removals and waits, the store and core hold, against a sequential model:
 * - a TOTP step is accepted at most once per factor (and only after the factor's last one);
 * - an unconfirmed or removed factor never verifies;
 * - each recovery code works at most once, none after a regeneration or the last factor's removal;
 * - an mfa_token is spent at most once and never after 300 s.
 * And what the model allows does pass (sequentially exactly; in a burst exactly once).
 */
export const mfaProperty = async (newStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
      // A lock would hide what the model says; lockout has its own tests.
      const deps = testDeps({ LOCKOUT_THRESHOLD: '100' }, await newStore());
      const user = await createUserWithPassword(deps);
      const factors: Factor[] = [];
      /** Every recovery code ever given; `live` the current, unused ones. */
      const codes: string[] = [];
      const live = new Set<string>();
      const tokens: { value: string; issuedAt: number; spent: boolean }[] = [];
      const accepted: { code: string; factorId: string; step: number }[] = [];
      const liveFactors = () => factors.filter((f) => f.confirmed && !f.removed);

      const tokenFor = async (choice: number) => {
        const earlier = tokens[tokens.length - choice];
        if (choice > 0 && earlier) return earlier;
        const fresh = {
          value: await passwordMfaToken(deps, user),
          issuedAt: deps.clock.now(),
          spent: false,
        };
        tokens.push(fresh);
        return fresh;
      };
      const usable = (token: { issuedAt: number; spent: boolean }) =>
        !token.spent && deps.clock.now() - token.issuedAt < 300_000;
      /** Tries `code` with one token per attempt (a burst shares the token when `shared`). */
      const attempt = async (code: string, choice: number, count: number) => {
        const token = await tokenFor(choice);
        const usableBefore = usable(token);
        const results = await Promise.allSettled(
          Array.from({ length: count }, () =>
            verifyMfaCode(deps, { mfaToken: token.value, code }, noRequest),
          ),
        );
        const passed = results.filter((r) => r.status === 'fulfilled').length;
        // Invariant: an mfa_token is spent at most once and never after 300 s.
        expect(passed).toBeLessThanOrEqual(usableBefore ? 1 : 0);
        if (passed) token.spent = true;
        return { passed, usableBefore };
      };

      for (const s of steps) {
        const now = deps.clock.now();
        if (s.kind === 'wait') deps.clock.advance(s.seconds);
        else if (s.kind === 'enrol') {
          const enrolled = await enrolTotp(deps, user);
          factors.push({
            factorId: enrolled.factor_id,
            secret: enrolled.secret,
            confirmed: false,
            removed: false,
            lastStep: -1,
            enrolledAt: now,
          });
        } else if (s.kind === 'confirm') {
          const factor = factors[s.pending % Math.max(1, factors.length)];
          if (!factor) continue;
          const first = liveFactors().length === 0;
          const result = await confirmTotp(
            deps,
            user,
            factor.factorId,
            totpCodeAt(factor.secret, now),
            noRequest,
          ).then(
            (value) => value,
            () => null,
          );
          // Invariant: a pending factor is confirmed once, within its 10 minutes.
          expect(result !== null).toBe(!factor.confirmed && now < factor.enrolledAt + 600_000);
          if (result) {
            factor.confirmed = true;
            factor.lastStep = totpStep(now);
            if (first) {
              expect(result.recovery_codes).toHaveLength(10);
              live.clear();
            } else expect(result.recovery_codes).toBeUndefined();
            for (const code of result.recovery_codes ?? []) {
              codes.push(code);
              live.add(code);
            }
          }
        } else if (s.kind === 'totp') {
          const factor = factors[s.factor % Math.max(1, factors.length)];
          if (!factor) continue;
          const at = now + s.drift * 30_000;
          const code = totpCodeAt(factor.secret, at);
          const { passed, usableBefore } = await attempt(code, s.token, s.parallel);
          const allowed = factor.confirmed && !factor.removed && totpStep(at) > factor.lastStep;
          // Invariant: a step once per factor; an unconfirmed or removed factor never verifies.
          if (passed) expect(allowed).toBe(true);
          if (allowed && usableBefore) expect(passed).toBe(1);
          if (passed) {
            factor.lastStep = totpStep(at);
            accepted.push({ code, factorId: factor.factorId, step: totpStep(at) });
          }
        } else if (s.kind === 'replay') {
          const previous = accepted[accepted.length - 1];
          if (!previous) continue;
          const { passed } = await attempt(previous.code, s.token, s.parallel);
          expect(passed).toBe(0);
        } else if (s.kind === 'recovery') {
          const code = codes[s.code % Math.max(1, codes.length)];
          if (!code) continue;
          const { passed, usableBefore } = await attempt(code, s.token, s.parallel);
          // Invariant: each recovery code once; none after regeneration or the last removal.
          if (passed) expect(live.has(code)).toBe(true);
          if (live.has(code) && usableBefore) expect(passed).toBe(1);
          if (passed) live.delete(code);
        } else if (s.kind === 'wrong') {
          expect((await attempt('000000', s.token, 1)).passed).toBeLessThanOrEqual(1);
        } else if (s.kind === 'regenerate') {
          const result = await regenerateRecoveryCodes(deps, user.id, noRequest).catch(() => null);
          expect(result !== null).toBe(liveFactors().length > 0);
          live.clear();
          for (const code of result?.recovery_codes ?? []) {
            codes.push(code);
            live.add(code);
          }
        } else {
          const factor = factors[s.factor % Math.max(1, factors.length)];
          if (!factor) continue;
          const removed = await removeFactor(deps, user.id, factor.factorId, noRequest).then(
            () => true,
            () => false,
          );
          expect(removed).toBe(factor.confirmed && !factor.removed);
          if (removed) factor.removed = true;
          if (liveFactors().length === 0) live.clear();
        }
      }
      // The stored factors are exactly the model's confirmed, unremoved ones.
      const stored = await deps.store.getMfaState(user.id);
      expect(stored.factors.map((f) => f.factorId).sort()).toEqual(
        liveFactors()
          .map((f) => f.factorId)
          .sort(),
      );
    }),
    { numRuns },
  );
};
