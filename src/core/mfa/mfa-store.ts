import type {
  MfaFactorRecord,
  MfaState,
  PendingFactorRecord,
  RecoveryCodeSet,
  WebAuthnCredential,
} from './factors';
import type { MfaTokenRecord } from './mfa-tokens';
import type { WebAuthnChallengeRecord, WebAuthnCredentialLookup } from './webauthn-challenges';

/**
 * A second factor presented once: a TOTP step, a recovery code's digest, or a WebAuthn
 * assertion's sign counter (spent only if the stored counter is below it, or both are 0).
 */
export type MfaProof =
  | { kind: 'totp'; userId: string; factorId: string; step: number }
  | { kind: 'recovery'; userId: string; salt: string; hash: string }
  | { kind: 'webauthn'; userId: string; factorId: string; counter: number };

/** The stored counter accepts `next`: it moved forward, or the authenticator keeps none (0, 0). */
export const counterAdvances = (stored: number, next: number): boolean =>
  stored < next || (stored === 0 && next === 0);

/** A race lost to another change of the user's factors: read again and retry. */
export type FactorWrite = 'done' | 'gone' | 'raced';

/** 'full': the user holds MAX_FACTORS confirmed factors already (factor-cap.ts). */
export type FactorAdd = FactorWrite | 'full';

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
   * pending factor). With `recovery` (the first factor) it also stores that set. Never past
   * MAX_FACTORS: the count condition refuses it ('full').
   */
  confirmFactor(request: {
    factor: MfaFactorRecord;
    at: number;
    expectedCount: number;
    recovery: RecoveryCodeSet | null;
  }): Promise<FactorAdd>;
  /**
   * A WebAuthn factor, confirmed at once (its registration proved the authenticator), with its
   * credential-id lookup item; 'taken' when that credential id is registered already, 'full'
   * at MAX_FACTORS.
   */
  addWebAuthnFactor(request: {
    factor: MfaFactorRecord & { webauthn: WebAuthnCredential };
    expectedCount: number;
    recovery: RecoveryCodeSet | null;
  }): Promise<FactorAdd | 'taken'>;
  /** Deletes one confirmed factor (and its credential lookup); the last takes the recovery codes. */
  removeFactor(
    userId: string,
    factorId: string,
    expectedCount: number,
    /** The factor's WebAuthn credential id, whose lookup item goes in the same transaction. */
    credentialId?: string,
  ): Promise<FactorWrite>;
  /** Deletes every listed factor, their credential lookups and the recovery codes (a reset). */
  clearFactors(userId: string, factorIds: string[], credentialIds?: string[]): Promise<FactorWrite>;
  /** The factor a credential id belongs to (a passkey sign-in names no user). */
  findWebAuthnCredential(credentialId: string): Promise<WebAuthnCredentialLookup | null>;
  createWebAuthnChallenge(record: WebAuthnChallengeRecord): Promise<void>;
  /** Deletes the challenge if it is unexpired at `at` and answers it; null for everyone else. */
  takeWebAuthnChallenge(challenge: string, at: number): Promise<WebAuthnChallengeRecord | null>;
  /** Replaces the whole recovery set (old codes dead), only while the user has a factor. */
  replaceRecoveryCodes(userId: string, set: RecoveryCodeSet): Promise<boolean>;
  /**
   * Spends a proof once: a TOTP step only if it is after the factor's last accepted step (and
   * records it and `at` as last use); a recovery digest only if it is in the current set; a
   * WebAuthn counter only if `counterAdvances` from the stored one (then stored, with `at`).
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
