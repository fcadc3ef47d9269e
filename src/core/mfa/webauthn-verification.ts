import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { type RequestMeta, recordAudit } from '../audit/audit';
import { accountLockoutKey } from '../sessions/lockout';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError, isGatehouseError } from '../shared/errors';
import type { CredentialOrigin } from '../users/credential-lineage';
import type { UserRecord } from '../users/users';
import { takeCodeAttempt, verifyWithMfaToken } from './mfa-challenge';
import { type MfaTokenRecord, mfaTokenHash } from './mfa-tokens';
import { type AssertionOutcome, checkAssertion } from './webauthn-assertion';

/** RFC 8176: a hardware-bound key, and (a second factor, or a verified passkey) MFA. */
const WEBAUTHN_AMR = ['hwk', 'mfa'];

/** A failed assertion's audit: a stale counter says an authenticator was cloned. */
const auditRefusal = (
  deps: CoreDeps,
  meta: RequestMeta,
  action: 'mfa.challenge' | 'auth.sign_in',
  userId: string | null,
  detail: Record<string, string | boolean>,
) =>
  recordAudit(deps, meta, {
    action,
    actorId: userId,
    targetId: userId,
    outcome: 'failure',
    detail: { factor: 'webauthn', ...detail },
  });

/**
 * `POST /auth/mfa/verify {mfa_token, credential}` (and the MFA grant, the pages): exactly as
 * verifyMfaCode, with a WebAuthn assertion over a challenge that `mfaChallengeOptions` gave
 * for this mfa_token. The token and the assertion's counter are spent together, once.
 */
export const verifyMfaCredential = (
  deps: CoreDeps,
  input: { mfaToken: string; credential: AuthenticationResponseJSON },
  meta: RequestMeta,
  /** The token as the caller read it by this mfa_token's hash. */
  known?: MfaTokenRecord,
): ReturnType<typeof verifyWithMfaToken> =>
  verifyWithMfaToken(
    deps,
    input.mfaToken,
    {
      kind: 'webauthn',
      amr: WEBAUTHN_AMR,
      proofFor: async (token) => {
        const outcome = await checkAssertion(
          deps,
          input.credential,
          {
            purpose: 'second-factor',
            userId: token.userId,
            mfaTokenHash: mfaTokenHash(input.mfaToken),
          },
          false,
        );
        return outcome.ok ? outcome.proof : { refused: outcome.reason };
      },
    },
    meta,
    known,
  );

/**
 * Step-up by a WebAuthn assertion in a `/me` body (no mfa_token): over a 'step-up' challenge
 * of this user; a wrong one is 403 `forbidden` and counts toward the lockout; a right one is
 * spent (its counter) and clears the count.
 */
export const assertMfaCredential = async (
  deps: CoreDeps,
  userId: string,
  credential: AuthenticationResponseJSON,
  meta: RequestMeta,
): Promise<void> => {
  await takeCodeAttempt(deps, userId);
  const outcome = await checkAssertion(deps, credential, { purpose: 'step-up', userId }, false);
  // Invariant: a step-up assertion is spent once, like a sign-in one (the same atomic write).
  const spent = outcome.ok && (await deps.store.spendMfaProof(outcome.proof, deps.clock.now()));
  await recordAudit(deps, meta, {
    action: 'mfa.challenge',
    actorId: userId,
    targetId: userId,
    outcome: spent ? 'success' : 'failure',
    detail: {
      factor: 'webauthn',
      step_up: true,
      ...(outcome.ok ? (spent ? {} : { reason: 'counter_stale' }) : { reason: outcome.reason }),
    },
  });
  if (!spent) throw new GatehouseError('forbidden', 'That security key or passkey was refused.');
  await deps.store.clearLoginFailures(accountLockoutKey(userId));
};

const invalidPasskey = () =>
  new GatehouseError('invalid_credentials', 'That passkey was not accepted.');

/**
 * Counts a refused passkey toward its account's lockout, once the account is known. A lock
 * changes nothing (the refusal is answered anyway); a count lost to an outage answers 503, so
 * no guess goes uncounted.
 */
const countRefusal = async (deps: CoreDeps, outcome: AssertionOutcome) => {
  if (!outcome.ok && outcome.userId)
    await takeCodeAttempt(deps, outcome.userId).catch((error: unknown) => {
      if (isGatehouseError(error) && error.code === 'unavailable') throw error;
    });
};

/**
 * `POST /auth/passkey/verify {credential}`: passwordless sign-in. Invariant: the challenge is
 * a passkey one, single-use; the credential is a live factor found by its id; the authenticator
 * verified the user; the counter is spent atomically. Anything wrong is the same 401
 * `invalid_credentials` (an unknown credential and a bad signature alike), audited; a locked
 * account is 429. The caller opens the session (a passkey is the second factor: no gate).
 */
export const verifyPasskey = async (
  deps: CoreDeps,
  credential: AuthenticationResponseJSON,
  meta: RequestMeta,
): Promise<{ user: UserRecord; amr: string[]; origin: CredentialOrigin }> => {
  const outcome = await checkAssertion(
    deps,
    credential,
    { purpose: 'passkey', userId: null },
    true,
  );
  if (!outcome.ok) {
    await Promise.all([
      countRefusal(deps, outcome),
      auditRefusal(deps, meta, 'auth.sign_in', outcome.userId, {
        method: 'passkey',
        reason: outcome.reason,
      }),
    ]);
    throw invalidPasskey();
  }
  // The lock is honoured before anything is spent: a locked account signs in with nothing.
  await takeCodeAttempt(deps, outcome.userId).catch(async (error: unknown) => {
    await auditRefusal(deps, meta, 'auth.sign_in', outcome.userId, {
      method: 'passkey',
      reason: 'too_many_attempts',
    });
    throw error;
  });
  const [user, spent] = await Promise.all([
    deps.store.getUser(outcome.userId),
    deps.store.spendMfaProof(outcome.proof, deps.clock.now()),
  ]);
  if (!user || !spent) {
    await auditRefusal(deps, meta, 'auth.sign_in', outcome.userId, {
      method: 'passkey',
      reason: user ? 'counter_stale' : 'unknown_credential',
    });
    throw invalidPasskey();
  }
  return {
    user,
    amr: WEBAUTHN_AMR,
    origin: outcome.factor.webauthn?.origin ?? 'unknown',
  };
};
