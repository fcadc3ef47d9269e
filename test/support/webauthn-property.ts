import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import { finishOwnWebAuthn, startOwnWebAuthn } from '../../src/core/account/own-factors';
import { noRequest } from '../../src/core/audit/audit';
import {
  clearFactors,
  mfaChallengeOptions,
  passkeyOptions,
  removeFactor,
  verifyMfaCredential,
  verifyPasskey,
} from '../../src/core/mfa';
import { stepUpProofOf } from '../../src/core/sessions/reauthentication';
import { startSession } from '../../src/core/sessions/sessions';
import type { Store } from '../../src/core/shared/store';
import { testDeps } from './core-deps';
import { passwordMfaToken } from './mfa-fixtures';
import { type AssertOptions, SoftAuthenticator } from './soft-authenticator';
import { createUserWithPassword, PASSWORD } from './users';

type Counter = 'next' | 'same' | 'stale' | 'zero' | 'jump';

type Step =
  | { kind: 'register'; counterless: boolean }
  | { kind: 'assert'; device: number; counter: Counter; mfa: boolean; parallel: number }
  | { kind: 'replay'; assertion: number; mfa: boolean }
  | { kind: 'clone'; device: number; mfa: boolean }
  | { kind: 'remove'; device: number }
  | { kind: 'clear' };

const device = fc.nat({ max: 4 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), counterless: fc.boolean() }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('assert' as const),
      device,
      counter: fc.constantFrom<Counter>('next', 'next', 'same', 'stale', 'zero', 'jump'),
      mfa: fc.boolean(),
      parallel: fc.constantFrom(1, 1, 2, 3),
    }),
  },
  fc.record({
    kind: fc.constant('replay' as const),
    assertion: fc.nat({ max: 9 }),
    mfa: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('clone' as const), device, mfa: fc.boolean() }),
  fc.record({ kind: fc.constant('remove' as const), device }),
  fc.constant({ kind: 'clear' as const }),
);

interface Device {
  authenticator: SoftAuthenticator;
  credentialId: string;
  factorId: string;
  counterless: boolean;
  /** Removed (alone or by a reset): it must never sign in again. */
  removed: boolean;
  /** The highest counter the store accepted for it. */
  accepted: number;
}

/**
 * Over random sequences of registrations, assertions (passkey or second factor, with the next,
 * the same, a stale, a zero or a jumping counter, alone or as concurrent duplicates), replays
 * of earlier assertions, clones, removals and resets, on a real core over `store`:
 * - no assertion (no challenge) is ever accepted twice;
 * - no stored counter ever goes backwards, and every accepted counter advanced (or 0 after 0);
 * - no removed or reset credential ever signs in.
 */
export const webAuthnProperty = async (freshStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
      const deps = testDeps({ LOCKOUT_THRESHOLD: '100' }, await freshStore());
      const origin = deps.config.webauthn.origins[0] as string;
      const user = await createUserWithPassword(deps);
      const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
      // The session that registers the keys: the first one marks it (first-factor-session.ts).
      const signedIn = await startSession(deps, user, null, { origin: 'self' });
      const sid = decodeJwt(signedIn.access_token).sid as string;
      const devices: Device[] = [];
      const sent: { assertion: AuthenticationResponseJSON; device: Device }[] = [];
      const acceptedChallenges = new Set<string>();

      /** One attempt: a passkey sign-in, or a second factor with a fresh mfa_token. */
      const attempt = async (
        assertion: AuthenticationResponseJSON,
        mfa: boolean,
        token?: string,
      ): Promise<boolean> => {
        const outcome = mfa
          ? verifyMfaCredential(
              deps,
              { mfaToken: token ?? (await passwordMfaToken(deps, user)), credential: assertion },
              noRequest,
            )
          : verifyPasskey(deps, assertion, noRequest);
        return outcome.then(
          () => true,
          () => false,
        );
      };
      const judge = (owner: Device, assertion: AuthenticationResponseJSON, counter: number) => {
        const challenge = JSON.parse(
          Buffer.from(assertion.response.clientDataJSON, 'base64url').toString(),
        ).challenge as string;
        // Invariant: no assertion is accepted twice; no removed credential signs in.
        expect(acceptedChallenges.has(challenge)).toBe(false);
        expect(owner.removed).toBe(false);
        // Invariant: an accepted counter advanced (or stayed 0 on a counterless authenticator).
        expect(counter > owner.accepted || (counter === 0 && owner.accepted === 0)).toBe(true);
        acceptedChallenges.add(challenge);
        owner.accepted = counter;
      };
      const optionsFor = async (owner: Device, mfa: boolean) => {
        if (!mfa) return { options: await passkeyOptions(deps), token: undefined };
        const token = await passwordMfaToken(deps, user);
        const options = await mfaChallengeOptions(deps, token, owner.factorId).catch(() => null);
        return { options, token };
      };

      for (const s of steps) {
        if (s.kind === 'register') {
          const authenticator = new SoftAuthenticator();
          const options = await startOwnWebAuthn(
            deps,
            self,
            await stepUpProofOf(deps, user.id, sid, { password: PASSWORD }),
            noRequest,
          );
          const added = await finishOwnWebAuthn(
            deps,
            self,
            sid,
            authenticator.register(options, origin),
            undefined,
            noRequest,
          );
          devices.push({
            authenticator,
            credentialId: authenticator.credentialIds[0] as string,
            factorId: added.factor.factor_id,
            counterless: s.counterless,
            removed: false,
            accepted: 0,
          });
        } else if (s.kind === 'assert' || s.kind === 'clone') {
          const owner = devices[s.device % Math.max(devices.length, 1)];
          if (!owner) continue;
          const { options, token } = await optionsFor(owner, s.mfa);
          if (!options) continue;
          const signer =
            s.kind === 'clone'
              ? owner.authenticator.clone(owner.credentialId)
              : owner.authenticator;
          const settings: AssertOptions =
            s.kind === 'clone'
              ? { counter: owner.accepted }
              : owner.counterless
                ? { counter: 0 }
                : {
                    next: {},
                    same: { counter: owner.accepted },
                    stale: { counter: Math.max(0, owner.accepted - 1) },
                    zero: { counter: 0 },
                    jump: { counterStep: 1000 },
                  }[s.counter];
          const assertion = signer.assert(options, origin, settings);
          const counter = Buffer.from(
            assertion.response.authenticatorData,
            'base64url',
          ).readUInt32BE(33);
          const copies = s.kind === 'assert' ? s.parallel : 1;
          const outcomes = await Promise.all(
            Array.from({ length: copies }, () => attempt(assertion, s.mfa, token)),
          );
          // Concurrent duplicates: at most one wins.
          expect(outcomes.filter(Boolean).length).toBeLessThanOrEqual(1);
          if (outcomes.some(Boolean)) judge(owner, assertion, counter);
          sent.push({ assertion, device: owner });
        } else if (s.kind === 'replay') {
          const earlier = sent[s.assertion % Math.max(sent.length, 1)];
          if (!earlier) continue;
          expect(await attempt(earlier.assertion, s.mfa)).toBe(false);
        } else if (s.kind === 'remove') {
          const owner = devices[s.device % Math.max(devices.length, 1)];
          if (!owner || owner.removed) continue;
          await removeFactor(deps, user.id, owner.factorId, noRequest);
          owner.removed = true;
        } else {
          await clearFactors(deps, null, user.id, noRequest);
          for (const owner of devices) owner.removed = true;
        }
        // Invariant: no stored counter goes backwards (it is the highest accepted one).
        const { factors } = await deps.store.getMfaState(user.id);
        for (const owner of devices.filter((d) => !d.removed)) {
          const stored = factors.find((f) => f.factorId === owner.factorId);
          expect(stored?.webauthn?.counter).toBe(owner.accepted);
        }
        expect(factors).toHaveLength(devices.filter((d) => !d.removed).length);
        for (const owner of devices.filter((d) => d.removed)) {
          expect(await deps.store.findWebAuthnCredential(owner.credentialId)).toBeNull();
        }
      }
    }),
    { numRuns },
  );
};
