import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import { confirmOwnTotp, startOwnTotp } from '../../src/core/account/own-factors';
import { forgotPassword, resetPasswordWithToken } from '../../src/core/account/self-service';
import { noRequest } from '../../src/core/audit/audit';
import { verifyMfaCode } from '../../src/core/mfa/mfa-challenge';
import { MfaRequiredError } from '../../src/core/mfa/second-factor-gate';
import { accountLockoutKey } from '../../src/core/sessions/lockout';
import { assertStepUp, stepUpProofOf } from '../../src/core/sessions/reauthentication';
import { startSession } from '../../src/core/sessions/sessions';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import { isGatehouseError } from '../../src/core/shared/errors';
import type { Store } from '../../src/core/shared/store';
import type { UserRecord } from '../../src/core/users/users';
import { testDeps } from './core-deps';
import { totpCodeAt } from './totp-codes';
import { aUser, PASSWORD } from './users';

/** A step-up's password beside its code: none, the right one, or a wrong one. */
type Beside = 'none' | 'right' | 'wrong';

type Step =
  | { kind: 'code-step-up'; password: Beside }
  | { kind: 'password-step-up'; right: boolean }
  | { kind: 'sign-in' }
  | { kind: 'reset' }
  | { kind: 'verify'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('code-step-up' as const),
      password: fc.constantFrom<Beside>('none', 'right', 'wrong'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('password-step-up' as const), right: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sign-in' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('verify' as const), pick: fc.nat(7) }) },
);

const THRESHOLD = 4;

/** Where a refusal came from: the lock, or a check that ran. */
const refusal = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
    return 'passed';
  } catch (error) {
    if (error instanceof MfaRequiredError) return 'mfa_required';
    if (!isGatehouseError(error)) throw error;
    return error.code;
  }
};

/**
 * Finding 1 of red team 18, as a class: for a user with a confirmed factor, over random
 * sequences of wrong codes in step-ups (alone or beside a right or wrong password), password
 * step-ups (right: refused by invariant A, or wrong), right-password sign-ins (mfa_required),
 * mailed password resets and /auth/mfa/verify with wrong codes, the account's failure count
 * never drops below the wrong codes checked so far (nothing but a verified factor lowers it),
 * so at most LOCKOUT_THRESHOLD wrong codes are ever checked. The clock stands still (a lock
 * never ends) and no right code is sent.
 */
export const codeLockoutProperty = async (newStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 16 }), async (steps) => {
      const deps = testDeps(
        {
          LOCKOUT_THRESHOLD: String(THRESHOLD),
          LOCKOUT_BASE_SECONDS: '86400',
          LOCKOUT_MAX_SECONDS: '86400',
        },
        await newStore(),
      );
      let user: UserRecord = aUser({
        passwordHash: await deps.hasher.hash(PASSWORD),
        emailVerified: true,
      });
      await deps.store.createUser(user);
      let password = PASSWORD;
      const key = accountLockoutKey(user.id);
      /** A session without `mfa` (a thief's from before the enrolment). */
      const openSession = async () =>
        decodeJwt((await startSession(deps, user, null, { origin: 'self' })).access_token)
          .sid as string;
      let sid = await openSession();
      const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
      const started = await startOwnTotp(
        deps,
        self,
        undefined,
        { password, authTime: null },
        noRequest,
      );
      const confirmed = await confirmOwnTotp(
        deps,
        self,
        await openSession(),
        started.factor_id,
        totpCodeAt(started.secret, deps.clock.now()),
        noRequest,
      );
      expect(confirmed.recovery_codes).toBeTruthy();
      const taken = new Set(
        [-1, 0, 1].map((d) => totpCodeAt(started.secret, deps.clock.now() + d * 30_000)),
      );
      let wrongCode = '000000';
      for (let guess = 0; taken.has(wrongCode); guess++) wrongCode = String(guess).padStart(6, '0');
      const mfaTokens: string[] = [];
      let checked = 0;
      const counted = async () => (await deps.store.getLoginFailures(key))?.failures ?? 0;
      const floor = await counted();

      for (const s of steps) {
        if (s.kind === 'code-step-up') {
          const given = {
            code: wrongCode,
            ...(s.password === 'none'
              ? {}
              : { password: s.password === 'right' ? password : `${password}!` }),
          };
          const outcome = await refusal(async () =>
            assertStepUp(deps, user, await stepUpProofOf(deps, user.id, sid, given)),
          );
          expect(['forbidden', 'too_many_attempts']).toContain(outcome);
          // A wrong password beside it stops the step-up before the code is looked at.
          if (outcome === 'forbidden' && s.password !== 'wrong') checked++;
        } else if (s.kind === 'password-step-up') {
          const outcome = await refusal(async () =>
            assertStepUp(
              deps,
              user,
              await stepUpProofOf(deps, user.id, sid, { password: s.right ? password : 'nope' }),
            ),
          );
          // Invariant A: a password never passes for a session without mfa of a user with a factor.
          expect(outcome).not.toBe('passed');
        } else if (s.kind === 'sign-in') {
          try {
            await signInWithPassword(deps, { login: user.email, password });
            expect.unreachable('a user with a factor signed in with a password alone');
          } catch (error) {
            if (error instanceof MfaRequiredError) mfaTokens.push(error.mfaToken);
            else expect(isGatehouseError(error) && error.code).toBe('too_many_attempts');
          }
        } else if (s.kind === 'reset') {
          deps.clock.advance(1);
          await forgotPassword(deps, user.email, noRequest);
          const token = /#token=(prt_[\w-]{43})/.exec(deps.mailer.sent.at(-1)?.text ?? '')?.[1];
          expect(token).toBeTruthy();
          deps.clock.advance(1);
          password = `a new passphrase ${deps.clock.now()}`;
          await resetPasswordWithToken(deps, { token: token as string, password }, noRequest);
          user = (await deps.store.getUser(user.id)) as UserRecord;
          // The reset ended every session; the thief signs in again with the new password.
          sid = await openSession();
        } else {
          const mfaToken = mfaTokens[s.pick % Math.max(1, mfaTokens.length)];
          if (!mfaToken) continue;
          const outcome = await refusal(() =>
            verifyMfaCode(deps, { mfaToken, code: wrongCode }, noRequest),
          );
          expect(['invalid_credentials', 'too_many_attempts', 'token_invalid']).toContain(outcome);
          if (outcome === 'invalid_credentials') checked++;
        }
        // Invariant: nothing but a verified factor lowers the count below what wrong codes put there.
        expect(await counted()).toBeGreaterThanOrEqual(floor + checked);
        expect(checked).toBeLessThanOrEqual(THRESHOLD);
      }
    }),
    { numRuns },
  );
};
