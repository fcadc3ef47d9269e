import fc from 'fast-check';
import { expect } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import { confirmTotp, enrolTotp, removeFactor } from '../../src/core/mfa';
import { MfaRequiredError } from '../../src/core/mfa/second-factor-gate';
import { totpStep } from '../../src/core/mfa/totp';
import { finishMfaSignIn } from '../../src/core/sessions/mfa-sign-in';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { Store } from '../../src/core/shared/store';
import { testDeps } from './core-deps';
import { totpCodeAt } from './totp-codes';
import { createUserWithPassword, PASSWORD } from './users';

type Step =
  | { kind: 'signIn' }
  | { kind: 'enrol' }
  | { kind: 'remove'; factor: number }
  | { kind: 'totp'; factor: number; drift: -1 | 0 | 1; token: number; parallel: number }
  | { kind: 'replay'; token: number }
  | { kind: 'recovery'; code: number; token: number; parallel: number }
  | { kind: 'wrong'; token: number }
  | { kind: 'wait'; seconds: number };

const index = fc.nat({ max: 5 });
/** Which mfa_token: n-th latest issued (0 the latest); a token never issued is made up. */
const tokenChoice = fc.nat({ max: 4 });
const parallel = fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 4 }));

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'signIn' as const }) },
  fc.constant({ kind: 'enrol' as const }),
  fc.record({ kind: fc.constant('remove' as const), factor: index }),
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
  fc.record({ kind: fc.constant('replay' as const), token: tokenChoice }),
  fc.record({
    kind: fc.constant('recovery' as const),
    code: fc.nat({ max: 12 }),
    token: tokenChoice,
    parallel,
  }),
  fc.record({ kind: fc.constant('wrong' as const), token: tokenChoice }),
  fc.record({
    kind: fc.constant('wait' as const),
    seconds: fc.constantFrom(1, 30, 31, 150, 299, 301),
  }),
);

interface Factor {
  factorId: string;
  secret: string;
  removed: boolean;
  lastStep: number;
}

/**
 * Over random sequences of password sign-ins, verifies (right, wrong and replayed TOTP codes,
 * recovery codes, spent, expired and made-up tokens; alone or in concurrent bursts),
 * enrolments, removals and waits, through the core against a sequential model:
 * no session is ever opened for a user with a confirmed factor without a successful verify of
 * a live mfa_token issued for that sign-in. A sign-in opens one only while the user has no
 * factor; a verify only for an unspent token under 300 s old with a right, unspent code; and
 * the store holds exactly the sessions the model allowed.
 */
export const mfaSignInProperty = async (newStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 16 }), async (steps) => {
      // A lock would hide what the model says; lockout has its own tests.
      const deps = testDeps({ LOCKOUT_THRESHOLD: '100' }, await newStore());
      const user = await createUserWithPassword(deps);
      const factors: Factor[] = [];
      const codes: string[] = [];
      const live = new Set<string>();
      const tokens: { value: string; issuedAt: number; spent: boolean }[] = [];
      const accepted: string[] = [];
      let sessions = 0;
      const liveFactors = () => factors.filter((f) => !f.removed);

      const pick = (choice: number) =>
        tokens[tokens.length - 1 - choice] ?? {
          value: `mft_${'A'.repeat(43)}`,
          issuedAt: 0,
          spent: true,
        };
      const usable = (token: { issuedAt: number; spent: boolean }) =>
        !token.spent && deps.clock.now() - token.issuedAt < 300_000;
      const attempt = async (code: string, choice: number, count: number) => {
        const token = pick(choice);
        const usableBefore = usable(token);
        const results = await Promise.allSettled(
          Array.from({ length: count }, () =>
            finishMfaSignIn(deps, { mfaToken: token.value, code }, { endpoint: 'auth' }, noRequest),
          ),
        );
        const passed = results.filter((r) => r.status === 'fulfilled').length;
        // Invariant: only a live token issued by a sign-in opens a session, once.
        expect(passed).toBeLessThanOrEqual(usableBefore ? 1 : 0);
        if (passed) token.spent = true;
        sessions += passed;
        return { passed, usableBefore };
      };

      for (const s of steps) {
        const now = deps.clock.now();
        if (s.kind === 'wait') deps.clock.advance(s.seconds);
        else if (s.kind === 'signIn') {
          const outcome = await signInWithPassword(deps, {
            login: user.email,
            password: PASSWORD,
          }).then(
            () => null,
            (error: unknown) => error,
          );
          // Invariant: the password alone opens a session only for a user without a factor.
          if (liveFactors().length === 0) expect(outcome).toBeNull();
          else expect(outcome).toBeInstanceOf(MfaRequiredError);
          if (outcome === null) sessions += 1;
          else
            tokens.push({
              value: (outcome as MfaRequiredError).mfaToken,
              issuedAt: now,
              spent: false,
            });
        } else if (s.kind === 'enrol') {
          const enrolled = await enrolTotp(deps, user);
          const confirmed = await confirmTotp(
            deps,
            user,
            enrolled.factor_id,
            totpCodeAt(enrolled.secret, now),
            noRequest,
          );
          factors.push({
            factorId: enrolled.factor_id,
            secret: enrolled.secret,
            removed: false,
            lastStep: totpStep(now),
          });
          for (const code of confirmed.recovery_codes ?? []) {
            codes.push(code);
            live.add(code);
          }
        } else if (s.kind === 'remove') {
          const factor = liveFactors()[s.factor % Math.max(1, liveFactors().length)];
          if (!factor) continue;
          await removeFactor(deps, user.id, factor.factorId, noRequest);
          factor.removed = true;
          if (liveFactors().length === 0) live.clear();
        } else if (s.kind === 'totp') {
          const factor = factors[s.factor % Math.max(1, factors.length)];
          if (!factor) continue;
          const at = now + s.drift * 30_000;
          const code = totpCodeAt(factor.secret, at);
          const { passed, usableBefore } = await attempt(code, s.token, s.parallel);
          const allowed = !factor.removed && totpStep(at) > factor.lastStep;
          if (passed) expect(allowed).toBe(true);
          if (allowed && usableBefore) expect(passed).toBe(1);
          if (passed) {
            factor.lastStep = totpStep(at);
            accepted.push(code);
          }
        } else if (s.kind === 'replay') {
          const previous = accepted[accepted.length - 1];
          if (!previous) continue;
          expect((await attempt(previous, s.token, 1)).passed).toBe(0);
        } else if (s.kind === 'recovery') {
          const code = codes[s.code % Math.max(1, codes.length)];
          if (!code) continue;
          const { passed, usableBefore } = await attempt(code, s.token, s.parallel);
          if (passed) expect(live.has(code)).toBe(true);
          if (live.has(code) && usableBefore) expect(passed).toBe(1);
          if (passed) live.delete(code);
        } else {
          // A six-digit code no live factor shows now (never a lucky right one).
          const shown = liveFactors().flatMap((f) =>
            [-1, 0, 1].map((d) => totpCodeAt(f.secret, now + d * 30_000)),
          );
          const wrong = ['000000', '000001', '000002', '000003'].find((c) => !shown.includes(c));
          expect((await attempt(wrong as string, s.token, 1)).passed).toBe(0);
        }
      }
      // The store holds exactly the sessions the model allowed (all still live).
      expect(await deps.store.revokeUserSessions(user.id, deps.clock.now())).toBe(sessions);
    }),
    { numRuns },
  );
};
