import type { MfaFactorRecord, MfaState, PendingFactorRecord, RecoveryCodeSet } from './factors';
import type { MfaTokenRecord } from './mfa-tokens';

/** A second factor presented once: a TOTP step or a recovery code's digest. */
export type MfaProof =
  | { kind: 'totp'; userId: string; factorId: string; step: number }
  | { kind: 'recovery'; userId: string; salt: string; hash: string };

/** A race lost to another change of the user's factors: read again and retry. */
export type FactorWrite = 'done' | 'gone' | 'raced';

/**
 * The MFA part of the storage port (core/shared/store.ts). Every check-then-write below is one
 * conditional write or transaction; `expectedCount` is the user's confirmed factor count as
 * read (MfaState.factors.length), which the write requires to be unchanged.
 */
export interface MfaStore {
  /** The user's confirmed factors and recovery set, read consistently in one step. */
  getMfaState(userId: string): Promise<MfaState>;
  createPendingFactor(pending: PendingFactorRecord): Promise<void>;
  getPendingFactor(factorId: string): Promise<PendingFactorRecord | null>;
  /**
   * Turns the pending factor `factor.factorId` of `factor.userId`, unexpired at `at`, into
   * `factor`, once ('gone' for every later or concurrent call, an expired or another user's
   * pending factor). With `recovery` (the first factor) it also stores that set.
   */
  confirmFactor(request: {
    factor: MfaFactorRecord;
    at: number;
    expectedCount: number;
    recovery: RecoveryCodeSet | null;
  }): Promise<FactorWrite>;
  /** Deletes one confirmed factor; the last one takes the recovery codes with it. */
  removeFactor(userId: string, factorId: string, expectedCount: number): Promise<FactorWrite>;
  /** Deletes every listed factor and the recovery codes (an admin's reset). */
  clearFactors(userId: string, factorIds: string[]): Promise<FactorWrite>;
  /** Replaces the whole recovery set (old codes dead), only while the user has a factor. */
  replaceRecoveryCodes(userId: string, set: RecoveryCodeSet): Promise<boolean>;
  /**
   * Spends a proof once: a TOTP step only if it is after the factor's last accepted step (and
   * records it and `at` as last use); a recovery digest only if it is in the current set.
   */
  spendMfaProof(proof: MfaProof, at: number): Promise<boolean>;
  createMfaToken(token: MfaTokenRecord): Promise<void>;
  getMfaToken(hash: string): Promise<MfaTokenRecord | null>;
  /**
   * One transaction: the token (unspent, unexpired at `at`, of the proof's user) is spent, the
   * proof is spent, and the account's failure record shows no lock since the token was issued
   * (at most `maxFailures` failures). 'token_invalid' when the token fails, else
   * 'proof_refused' when the proof does; nothing is written then.
   */
  completeMfaChallenge(request: {
    tokenHash: string;
    at: number;
    proof: MfaProof;
    lockout: { key: string; maxFailures: number };
  }): Promise<'done' | 'token_invalid' | 'proof_refused'>;
}
