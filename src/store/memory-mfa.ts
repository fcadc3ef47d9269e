import { MAX_FACTORS } from '../core/mfa/factor-cap';
import type {
  MfaFactorRecord,
  PendingFactorRecord,
  RecoveryCodeSet,
  WebAuthnCredential,
} from '../core/mfa/factors';
import { counterAdvances, type MfaProof, type MfaStore } from '../core/mfa/mfa-store';
import type { MfaTokenRecord } from '../core/mfa/mfa-tokens';
import type {
  WebAuthnChallengeRecord,
  WebAuthnCredentialLookup,
} from '../core/mfa/webauthn-challenges';
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
  /** credentialId -> its factor: written and deleted with the factor, never apart. */
  const credentials = new Map<string, WebAuthnCredentialLookup>();
  const challenges = new Map<string, WebAuthnChallengeRecord>();
  const forgetCredential = (factor: MfaFactorRecord | undefined) => {
    if (factor?.webauthn) credentials.delete(factor.webauthn.credentialId);
  };
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
    // Invariant: a WebAuthn counter only moves forward (a clone's stale counter is refused).
    if (proof.kind === 'webauthn') {
      const factor = factorsOf(proof.userId).get(proof.factorId);
      return (
        factor?.webauthn !== undefined && counterAdvances(factor.webauthn.counter, proof.counter)
      );
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
    if (proof.kind === 'webauthn') {
      const factor = factorsOf(proof.userId).get(proof.factorId) as MfaFactorRecord;
      factor.webauthn = { ...(factor.webauthn as WebAuthnCredential), counter: proof.counter };
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
      // Invariant: no user holds more than MAX_FACTORS confirmed factors.
      if (mine.size >= MAX_FACTORS) return 'full';
      pending.delete(factor.factorId);
      mine.set(factor.factorId, copy(factor));
      if (set) recovery.set(factor.userId, copy(set));
      return 'done';
    },
    async addWebAuthnFactor({ factor, expectedCount, recovery: set }) {
      const mine = factorsOf(factor.userId);
      // Invariant: a credential id belongs to one factor of one user.
      if (credentials.has(factor.webauthn.credentialId)) return 'taken';
      if (mine.size !== expectedCount) return 'raced';
      if (mine.size >= MAX_FACTORS) return 'full';
      mine.set(factor.factorId, copy(factor));
      credentials.set(factor.webauthn.credentialId, {
        credentialId: factor.webauthn.credentialId,
        userId: factor.userId,
        factorId: factor.factorId,
      });
      if (set) recovery.set(factor.userId, copy(set));
      return 'done';
    },
    async removeFactor(userId, factorId, expectedCount, credentialId) {
      const mine = factorsOf(userId);
      // The caller names the credential it read: a removal never orphans a lookup.
      if (!mine.has(factorId) || mine.get(factorId)?.webauthn?.credentialId !== credentialId)
        return 'gone';
      if (mine.size !== expectedCount) return 'raced';
      // Invariant: a removed factor's passkey stops signing in (its lookup goes with it).
      forgetCredential(mine.get(factorId));
      mine.delete(factorId);
      // Invariant: no recovery code outlives the user's last factor.
      if (mine.size === 0) recovery.delete(userId);
      return 'done';
    },
    async clearFactors(userId, factorIds, credentialIds = []) {
      const mine = factorsOf(userId);
      const asRead = (id: string, index: number) =>
        mine.has(id) &&
        (mine.get(id)?.webauthn?.credentialId ?? '') === (credentialIds[index] ?? '');
      if (mine.size !== factorIds.length || !factorIds.every(asRead)) return 'raced';
      for (const factor of mine.values()) forgetCredential(factor);
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
    async findWebAuthnCredential(credentialId) {
      const found = credentials.get(credentialId);
      return found ? copy(found) : null;
    },
    async createWebAuthnChallenge(record) {
      challenges.set(record.challenge, copy(record));
    },
    async takeWebAuthnChallenge(challenge, at) {
      const record = challenges.get(challenge);
      // Invariant: a challenge is answered once, within its 300 s.
      challenges.delete(challenge);
      return record && record.expiresAt > at ? record : null;
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
