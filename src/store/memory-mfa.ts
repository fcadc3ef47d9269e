import type { MfaFactorRecord, PendingFactorRecord, RecoveryCodeSet } from '../core/mfa/factors';
import type { MfaProof, MfaStore } from '../core/mfa/mfa-store';
import type { MfaTokenRecord } from '../core/mfa/mfa-tokens';
import type { LoginFailures } from '../core/shared/store';

const copy = <T>(value: T): T => structuredClone(value);

/**
 * MFA records in memory (the contract of core/mfa/mfa-store.ts): each method checks and writes
 * with no await in between, which is what a conditional write or transaction gives DynamoDB.
 */
export const createMemoryMfa = (
  loginFailures: (key: string) => LoginFailures | undefined,
): MfaStore => {
  /** userId -> factorId -> factor (confirmed only). */
  const factors = new Map<string, Map<string, MfaFactorRecord>>();
  const recovery = new Map<string, RecoveryCodeSet>();
  const pending = new Map<string, PendingFactorRecord>();
  const tokens = new Map<string, MfaTokenRecord>();
  const factorsOf = (userId: string) => {
    const mine = factors.get(userId) ?? new Map<string, MfaFactorRecord>();
    factors.set(userId, mine);
    return mine;
  };

  const proofSpendable = (proof: MfaProof): boolean => {
    // Invariant: a TOTP step once per factor, after its last; a recovery code once, current set only.
    if (proof.kind === 'totp') {
      const factor = factorsOf(proof.userId).get(proof.factorId);
      return factor?.totp !== undefined && proof.step > factor.totp.lastStep;
    }
    const set = recovery.get(proof.userId);
    return set?.salt === proof.salt && set.hashes.includes(proof.hash);
  };
  const spend = (proof: MfaProof, at: number) => {
    if (proof.kind === 'totp') {
      const factor = factorsOf(proof.userId).get(proof.factorId) as MfaFactorRecord;
      factor.totp = { ...(factor.totp as { secret: string }), lastStep: proof.step };
      factor.lastUsedAt = at;
      return;
    }
    const set = recovery.get(proof.userId) as RecoveryCodeSet;
    const hashes = set.hashes.filter((hash) => hash !== proof.hash);
    if (hashes.length) recovery.set(proof.userId, { ...set, hashes });
    else recovery.delete(proof.userId);
  };

  return {
    async getMfaState(userId) {
      return copy({
        factors: [...factorsOf(userId).values()].sort((a, b) => a.createdAt - b.createdAt),
        recovery: recovery.get(userId) ?? null,
      });
    },
    async createPendingFactor(factor) {
      pending.set(factor.factorId, copy(factor));
    },
    async getPendingFactor(factorId) {
      const factor = pending.get(factorId);
      return factor ? copy(factor) : null;
    },
    async confirmFactor({ factor, at, expectedCount, recovery: set }) {
      const waiting = pending.get(factor.factorId);
      // Invariant: a pending factor is confirmed once, by its user, within its 10 minutes.
      if (!waiting || waiting.userId !== factor.userId || waiting.expiresAt <= at) return 'gone';
      const mine = factorsOf(factor.userId);
      if (mine.size !== expectedCount) return 'raced';
      pending.delete(factor.factorId);
      mine.set(factor.factorId, copy(factor));
      if (set) recovery.set(factor.userId, copy(set));
      return 'done';
    },
    async removeFactor(userId, factorId, expectedCount) {
      const mine = factorsOf(userId);
      if (!mine.has(factorId)) return 'gone';
      if (mine.size !== expectedCount) return 'raced';
      mine.delete(factorId);
      // Invariant: no recovery code outlives the user's last factor.
      if (mine.size === 0) recovery.delete(userId);
      return 'done';
    },
    async clearFactors(userId, factorIds) {
      const mine = factorsOf(userId);
      if (mine.size !== factorIds.length || !factorIds.every((id) => mine.has(id))) return 'raced';
      mine.clear();
      recovery.delete(userId);
      return 'done';
    },
    async replaceRecoveryCodes(userId, set) {
      if (factorsOf(userId).size === 0) return false;
      recovery.set(userId, copy(set));
      return true;
    },
    async spendMfaProof(proof, at) {
      if (!proofSpendable(proof)) return false;
      spend(proof, at);
      return true;
    },
    async createMfaToken(token) {
      tokens.set(token.hash, copy(token));
    },
    async getMfaToken(hash) {
      const token = tokens.get(hash);
      return token ? copy(token) : null;
    },
    async completeMfaChallenge({ tokenHash, at, proof, lockout }) {
      const token = tokens.get(tokenHash);
      const failures = loginFailures(lockout.key)?.failures ?? 0;
      if (
        !token ||
        token.usedAt !== null ||
        token.expiresAt <= at ||
        token.userId !== proof.userId ||
        // Invariant: an mfa_token is dead once the account locked after it was issued.
        failures > lockout.maxFailures
      )
        return 'token_invalid';
      if (!proofSpendable(proof)) return 'proof_refused';
      token.usedAt = at;
      spend(proof, at);
      return 'done';
    },
  };
};
