import { type RequestMeta, recordAudit } from '../audit/audit';
import { accountLockoutKey, lockSeconds } from '../sessions/lockout';
import { takeCountedAttempt } from '../sessions/password-attempt';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { PublicUser } from '../users/users';
import { type MfaState, mfaSummary } from './factors';
import type { MfaProof } from './mfa-store';
import {
  MFA_TOKEN_MS,
  type MfaLoginContext,
  type MfaTokenRecord,
  mfaTokenHash,
  newMfaTokenSecret,
} from './mfa-tokens';
import { findRecoveryDigest, looksLikeRecoveryCode } from './recovery-codes';
import { looksLikeTotpCode, matchTotpStep } from './totp';

type MfaSummary = PublicUser['mfa'];

/** RFC 8176 values a code adds to the first step's. */
const CODE_AMR = ['otp', 'mfa'];

/**
 * After a right first step, instead of a session: the opaque `mfa_token` (300 s, stored as
 * its SHA-256), bound to the user and to how the login must finish.
 */
export const issueMfaToken = async (
  deps: CoreDeps,
  userId: string,
  context: MfaLoginContext,
  /** The account's failure count the first step's own attempt wrote (no read again). */
  failuresNow?: number,
): Promise<{ mfaToken: string; record: MfaTokenRecord }> => {
  const now = deps.clock.now();
  const mfaToken = newMfaTokenSecret();
  const failures =
    failuresNow === undefined
      ? await deps.store.getLoginFailures(accountLockoutKey(userId))
      : { failures: failuresNow };
  const record: MfaTokenRecord = {
    hash: mfaTokenHash(mfaToken),
    userId,
    context,
    createdAt: now,
    expiresAt: now + MFA_TOKEN_MS,
    usedAt: null,
    failuresAtIssue: failures?.failures ?? 0,
  };
  await deps.store.createMfaToken(record);
  return { mfaToken, record };
};

/** The proof a typed code names, or null: a TOTP step of a factor, or a recovery code. */
const proofOf = async (
  state: MfaState,
  userId: string,
  code: string,
  now: number,
): Promise<MfaProof | null> => {
  if (looksLikeTotpCode(code)) {
    for (const factor of state.factors) {
      const step = factor.totp ? matchTotpStep(factor.totp.secret, code, now) : null;
      if (factor.totp && step !== null && step > factor.totp.lastStep)
        return { kind: 'totp', userId, factorId: factor.factorId, step };
    }
    return null;
  }
  if (!state.recovery || !looksLikeRecoveryCode(code)) return null;
  const hash = await findRecoveryDigest(state.recovery, code);
  return hash ? { kind: 'recovery', userId, salt: state.recovery.salt, hash } : null;
};

const locked = (seconds: number) =>
  new GatehouseError(
    'too_many_attempts',
    `Too many wrong codes. Try again in ${seconds} seconds.`,
    seconds,
  );

/**
 * Counts the attempt before any check (as passwords do), so a burst of guesses meets the lock.
 * Answers the lock this attempt begins if it proves wrong (0: none), for its failure event.
 */
export const takeCodeAttempt = async (deps: CoreDeps, userId: string): Promise<number> => {
  const attempt = await takeCountedAttempt(deps, accountLockoutKey(userId), { userId });
  if (attempt.lockedSeconds > 0) throw locked(attempt.lockedSeconds);
  return lockSeconds(attempt.failures, deps.config.lockout);
};

/** A wrong code whose count locks the account BEGINS a lock: its event says for how long. */
const lockFact = (lockBegins: number): Record<string, number> =>
  lockBegins > 0 ? { lock_seconds: lockBegins } : {};

/** What one factor brings to a verify: its audit name, its amr, and how its proof is found. */
interface FactorAttempt {
  /** The audit's `detail.factor` before the proof is known ('totp', 'recovery', 'webauthn'). */
  kind: string;
  /** RFC 8176 values it adds to the first step's. */
  amr: readonly string[];
  /** The proof, or why there is none (audited as `detail.reason`; answered as a wrong factor). */
  proofFor: (
    token: MfaTokenRecord,
    state: MfaState,
    now: number,
  ) => Promise<MfaProof | { refused: string }>;
}

/**
 * A verify with an mfa_token (a code or a WebAuthn assertion): the token and the factor's
 * proof are spent together, once, or neither. Answers the token (how to finish the login) and
 * the login's `amr`. The caller opens the session with `clearLoginFailures` (only a completed
 * sign-in clears the count), and may pass on `mfa`, the user's summary read here.
 */
export const verifyWithMfaToken = async (
  deps: CoreDeps,
  mfaToken: string,
  attempt: FactorAttempt,
  meta: RequestMeta,
  /** The token as the caller read it by this mfa_token's hash (the spend below is conditional). */
  known?: MfaTokenRecord,
): Promise<{ token: MfaTokenRecord; amr: string[]; mfa: MfaSummary }> => {
  const tokenHash = mfaTokenHash(mfaToken);
  const now = deps.clock.now();
  const token = known?.hash === tokenHash ? known : await deps.store.getMfaToken(tokenHash);
  const tokenInvalid = new GatehouseError('token_invalid', 'The mfa_token is invalid or spent.');
  if (!token) throw tokenInvalid;
  // Every attempt on a real token is audited, whatever stops it (never the code or the token).
  const audit = (outcome: 'success' | 'failure', detail: Record<string, string | number>) =>
    recordAudit(deps, meta, {
      action: 'mfa.challenge',
      actorId: token.userId,
      targetId: token.userId,
      outcome,
      detail,
    });
  if (token.usedAt !== null || token.expiresAt <= now) {
    await audit('failure', { factor: attempt.kind, reason: 'token_invalid' });
    throw tokenInvalid;
  }
  // The attempt is counted before any check; the factors are only read beside it.
  const [lockBegins, state] = await Promise.all([
    takeCodeAttempt(deps, token.userId).catch(async (error: unknown) => {
      await audit('failure', { factor: attempt.kind, reason: 'too_many_attempts' });
      throw error;
    }),
    deps.store.getMfaState(token.userId),
  ]);
  const proof = await attempt.proofFor(token, state, now);
  const wrong = new GatehouseError(
    'invalid_credentials',
    attempt.kind === 'webauthn'
      ? 'That security key or passkey was refused.'
      : 'That code is not right.',
  );
  if ('refused' in proof) {
    await audit('failure', {
      factor: attempt.kind,
      reason: proof.refused,
      ...lockFact(lockBegins),
    });
    throw wrong;
  }
  // Invariant: an mfa_token and a proof are each spent at most once, together; never after 300 s
  // or a lock since issue (no more failures than at issue plus this attempt, or the threshold).
  const outcome = await deps.store.completeMfaChallenge({
    tokenHash,
    at: now,
    proof,
    lockout: {
      key: accountLockoutKey(token.userId),
      maxFailures: Math.max(token.failuresAtIssue + 1, deps.config.lockout.threshold),
    },
  });
  if (outcome === 'token_invalid') {
    await audit('failure', {
      factor: proof.kind,
      reason: 'token_invalid',
      ...lockFact(lockBegins),
    });
    throw tokenInvalid;
  }
  if (outcome === 'proof_refused') {
    await audit('failure', {
      factor: proof.kind,
      reason: 'invalid_credentials',
      ...lockFact(lockBegins),
    });
    throw wrong;
  }
  await audit('success', { factor: proof.kind });
  return {
    token: { ...token, usedAt: now },
    amr: [...new Set([...token.context.amr, ...attempt.amr])],
    mfa: mfaSummary(state.factors),
  };
};

/** `POST /auth/mfa/verify {mfa_token, code}`: a TOTP or recovery code (verifyWithMfaToken). */
export const verifyMfaCode = (
  deps: CoreDeps,
  input: { mfaToken: string; code: string },
  meta: RequestMeta,
  /** The token as the caller read it by this mfa_token's hash. */
  known?: MfaTokenRecord,
): Promise<{ token: MfaTokenRecord; amr: string[]; mfa: MfaSummary }> =>
  verifyWithMfaToken(
    deps,
    input.mfaToken,
    {
      kind: looksLikeTotpCode(input.code) ? 'totp' : 'recovery',
      amr: CODE_AMR,
      proofFor: async (token, state, now) =>
        (await proofOf(state, token.userId, input.code, now)) ?? {
          refused: 'invalid_credentials',
        },
    },
    meta,
    known,
  );

/**
 * Step-up by a code in the body (no mfa_token): a wrong code is 403 `forbidden` and counts
 * toward the lockout, as a wrong password does; a right one is spent and clears the count.
 */
export const assertMfaCode = async (
  deps: CoreDeps,
  userId: string,
  code: string,
  meta: RequestMeta,
): Promise<void> => {
  const lockBegins = await takeCodeAttempt(deps, userId);
  const now = deps.clock.now();
  const proof = await proofOf(await deps.store.getMfaState(userId), userId, code, now);
  // Invariant: a step-up code is spent once, like a sign-in code (the same atomic write).
  const spent = proof !== null && (await deps.store.spendMfaProof(proof, now));
  await recordAudit(deps, meta, {
    action: 'mfa.challenge',
    actorId: userId,
    targetId: userId,
    outcome: spent ? 'success' : 'failure',
    detail: {
      factor: proof?.kind ?? 'unknown',
      step_up: true,
      ...(spent ? {} : lockFact(lockBegins)),
    },
  });
  if (!spent) throw new GatehouseError('forbidden', 'That code is not right.');
  await deps.store.clearLoginFailures(accountLockoutKey(userId));
};
