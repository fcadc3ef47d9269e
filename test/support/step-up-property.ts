import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import {
  confirmOwnTotp,
  removeOwnFactor,
  renewOwnRecoveryCodes,
  startOwnTotp,
} from '../../src/core/account/own-factors';
import { noRequest } from '../../src/core/audit/audit';
import { totpStep } from '../../src/core/mfa/totp';
import { stepUpProofOf } from '../../src/core/sessions/reauthentication';
import { sessionAmr, startSession } from '../../src/core/sessions/sessions';
import { isGatehouseError } from '../../src/core/shared/errors';
import type { SessionRecord, Store } from '../../src/core/shared/store';
import { testDeps } from './core-deps';
import { totpCodeAt } from './totp-codes';
import { createUserWithPassword, PASSWORD } from './users';

/** What a request offers as proof, right or wrong, for the model to judge. */
type Proof =
  | 'none'
  | 'password'
  | 'wrong-password'
  | 'totp'
  | 'totp-replay'
  | 'recovery'
  | 'dead-recovery'
  | 'wrong-code';

type Step =
  | { kind: 'enrol'; proof: Proof; pick: number }
  | { kind: 'confirm'; pick: number }
  | { kind: 'remove'; proof: Proof; pick: number }
  | { kind: 'renew'; proof: Proof; pick: number }
  | { kind: 'sign-in'; withFactor: boolean }
  | { kind: 'wait'; seconds: number };

const proof = fc.constantFrom<Proof>(
  'none',
  'password',
  'wrong-password',
  'totp',
  'totp-replay',
  'recovery',
  'dead-recovery',
  'wrong-code',
);
const pick = fc.nat({ max: 7 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('enrol' as const), proof, pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('confirm' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), proof, pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('renew' as const), proof, pick }) },
  fc.record({ kind: fc.constant('sign-in' as const), withFactor: fc.boolean() }),
  fc.record({ kind: fc.constant('wait' as const), seconds: fc.constantFrom(30, 200, 301, 700) }),
);

interface Factor {
  factorId: string;
  secret: string;
  enrolledAt: number;
  confirmed: boolean;
  removed: boolean;
  lastStep: number;
}

/**
 * Over random sequences of enrolments, confirmations, removals and recovery-code renewals, each
 * with a random proof (none, the password, a wrong one, a live, replayed or wrong TOTP code, a
 * live or dead recovery code) on a session that ages, against a model that judges each proof:
 * no factor is added or removed, and no code set renewed, without a valid proof; a valid proof
 * always lets the change through; a refusal is 403 (`mfa_required` exactly when no factor's
 * proof was given by a user with a factor). Sessions sign in with or without a factor's code.
 * Invariant A: a session that neither verified a factor nor confirmed the first one adds,
 * removes or renews nothing with a password or a recent sign-in while a factor exists.
 * Invariant B: a session has `mfa` exactly when it did one of those. The store's factors and
 * recovery set are the model's after every step.
 */
export const stepUpProperty = async (newStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      // A lock would hide what the model says; lockout has its own tests.
      const deps = testDeps({ LOCKOUT_THRESHOLD: '100' }, await newStore());
      const user = await createUserWithPassword(deps);
      const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
      /** A sign-in; `amr` with `mfa` as finishMfaSignIn opens it after a factor's code. */
      const signIn = async (amr?: string[]) =>
        decodeJwt(
          (await startSession(deps, user, null, { origin: 'self', ...(amr ? { amr } : {}) }))
            .access_token,
        ).sid as string;
      let sid = await signIn();
      let signedInAt = deps.clock.now();
      // Whether this session verified a factor: at sign-in, or by confirming the first one.
      let sessionMfa = false;
      const factors: Factor[] = [];
      const live = new Set<string>();
      const dead: string[] = [];
      let lastCode: string | null = null;
      const liveFactors = () => factors.filter((f) => f.confirmed && !f.removed);
      const recoverySalt = async () => (await deps.store.getMfaState(user.id)).recovery?.salt;

      /** A code that no live factor accepts now (a real guess could hit one in 10^6). */
      const wrongCode = (now: number) => {
        const taken = new Set(
          liveFactors().flatMap((f) =>
            [-1, 0, 1].map((d) => totpCodeAt(f.secret, now + d * 30_000)),
          ),
        );
        let guess = 0;
        while (taken.has(String(guess).padStart(6, '0'))) guess++;
        return String(guess).padStart(6, '0');
      };

      /** The body's proof, and whether the model holds it valid (spending what it spends). */
      const offer = (kind: Proof, choice: number) => {
        const now = deps.clock.now();
        // Invariant A: with a factor, a session without mfa proves itself only by a factor.
        const byPassword = liveFactors().length === 0 || sessionMfa;
        const factor = liveFactors()[choice % Math.max(1, liveFactors().length)];
        const codes = [...live];
        switch (kind) {
          case 'none':
            return {
              given: {},
              valid: byPassword && now - signedInAt <= deps.config.reauthMaxAgeSeconds * 1000,
            };
          case 'password':
            return { given: { password: PASSWORD }, valid: byPassword };
          case 'wrong-password':
            return { given: { password: `${PASSWORD}!` }, valid: false };
          case 'totp': {
            if (!factor) return { given: { code: wrongCode(now) }, valid: false };
            const code = totpCodeAt(factor.secret, now);
            const valid = totpStep(now) > factor.lastStep;
            if (valid) {
              factor.lastStep = totpStep(now);
              lastCode = code;
            }
            return { given: { code }, valid };
          }
          case 'totp-replay':
            return lastCode
              ? { given: { code: lastCode }, valid: false }
              : { given: { code: wrongCode(now) }, valid: false };
          case 'recovery': {
            const code = codes[choice % Math.max(1, codes.length)];
            if (!code) return { given: { code: 'aaaaa-aaaaa' }, valid: false };
            live.delete(code);
            dead.push(code);
            return { given: { code }, valid: true };
          }
          case 'dead-recovery': {
            const code = dead[choice % Math.max(1, dead.length)] ?? 'aaaaa-aaaaa';
            return { given: { code }, valid: false };
          }
          case 'wrong-code':
            return { given: { code: wrongCode(now) }, valid: false };
        }
      };

      /** Runs a guarded change; checks its outcome against the proof's validity. */
      const guarded = async <T>(
        kind: Proof,
        choice: number,
        change: (p: Awaited<ReturnType<typeof stepUpProofOf>>) => Promise<T>,
      ): Promise<{ valid: boolean; result: T | null; error: unknown }> => {
        const hadFactor = liveFactors().length > 0;
        const { given, valid } = offer(kind, choice);
        const p = await stepUpProofOf(deps, user.id, sid, given);
        try {
          return { valid, result: await change(p), error: null };
        } catch (error) {
          if (!valid) {
            // Invariant: a refused proof is 403; mfa_required when no factor's proof was offered
            // (nothing, or a right password in a session without mfa).
            expect(isGatehouseError(error) && error.code).toBe(
              (kind === 'none' || kind === 'password') && hadFactor ? 'mfa_required' : 'forbidden',
            );
          }
          return { valid, result: null, error };
        }
      };

      for (const s of steps) {
        const before = {
          factors: liveFactors().map((f) => f.factorId),
          salt: await recoverySalt(),
        };
        if (s.kind === 'wait') deps.clock.advance(s.seconds);
        else if (s.kind === 'sign-in') {
          // A sign-in verifies a factor only when the user has one (the gate asks for it).
          sessionMfa = s.withFactor && liveFactors().length > 0;
          sid = await signIn(sessionMfa ? ['pwd', 'otp', 'mfa'] : undefined);
          signedInAt = deps.clock.now();
        } else if (s.kind === 'enrol') {
          const { valid, result } = await guarded(s.proof, s.pick, (p) =>
            startOwnTotp(deps, self, undefined, p, noRequest),
          );
          // Invariant: no enrolment starts without a valid proof; a valid one always starts it.
          expect(result !== null).toBe(valid);
          if (result) {
            factors.push({
              factorId: result.factor_id,
              secret: result.secret,
              enrolledAt: deps.clock.now(),
              confirmed: false,
              removed: false,
              lastStep: -1,
            });
          }
        } else if (s.kind === 'confirm') {
          const factor = factors[s.pick % Math.max(1, factors.length)];
          if (!factor) continue;
          const now = deps.clock.now();
          const first = liveFactors().length === 0;
          const code = totpCodeAt(factor.secret, now);
          const result = await confirmOwnTotp(
            deps,
            self,
            sid,
            factor.factorId,
            code,
            noRequest,
          ).catch(() => null);
          // Only an enrolment a proof started can be confirmed, once, within 10 minutes; by a
          // session without mfa only as the first factor (invariant A: none beside the user's).
          expect(result !== null).toBe(
            !factor.confirmed && now < factor.enrolledAt + 600_000 && (first || sessionMfa),
          );
          if (result) {
            factor.confirmed = true;
            factor.lastStep = totpStep(now);
            if (first) {
              // Invariant B: confirming the first factor marks the confirming session.
              sessionMfa = true;
              for (const code of live) dead.push(code);
              live.clear();
            }
            for (const code of result.recovery_codes ?? []) live.add(code);
          }
        } else if (s.kind === 'remove') {
          const factor = factors[s.pick % Math.max(1, factors.length)];
          if (!factor) continue;
          const exists = factor.confirmed && !factor.removed;
          const { valid, result } = await guarded(s.proof, s.pick, (p) =>
            removeOwnFactor(deps, self, factor.factorId, p, noRequest).then(() => true),
          );
          // Invariant: no factor is removed without a valid proof.
          expect(result === true).toBe(valid && exists);
          if (result) factor.removed = true;
          if (liveFactors().length === 0) {
            for (const code of live) dead.push(code);
            live.clear();
          }
        } else {
          const { valid, result } = await guarded(s.proof, s.pick, (p) =>
            renewOwnRecoveryCodes(deps, self, p, noRequest),
          );
          // Invariant: no code set is renewed without a valid proof.
          expect(result !== null).toBe(valid && liveFactors().length > 0);
          if (result) {
            for (const code of live) dead.push(code);
            live.clear();
            for (const code of result.recovery_codes) live.add(code);
          }
        }
        const after = { factors: liveFactors().map((f) => f.factorId), salt: await recoverySalt() };
        const stored = (await deps.store.getMfaState(user.id)).factors.map((f) => f.factorId);
        expect(stored.sort()).toEqual([...after.factors].sort());
        // Invariant B: the session has mfa exactly when it confirmed the first factor.
        const session = await deps.store.getSession(sid);
        expect(sessionAmr(session as SessionRecord).includes('mfa')).toBe(sessionMfa);
        // The recovery set moves only with a confirmed first factor, a renewal or the last removal.
        if (s.kind === 'wait' || s.kind === 'sign-in') expect(after).toEqual(before);
      }
    }),
    { numRuns },
  );
};
