import { describe, expect, it } from 'vitest';
import { MAX_FACTORS } from '../../src/core/mfa/factor-cap';
import type { MfaFactorRecord, WebAuthnCredential } from '../../src/core/mfa/factors';
import type { MfaTokenRecord } from '../../src/core/mfa/mfa-tokens';
import { newId } from '../../src/core/shared/ids';
import type { Store } from '../../src/core/shared/store';

const T0 = Date.UTC(2026, 0, 1);
const SET = { salt: 'salt-w', hashes: ['w1', 'w2'] };

const aWebAuthnFactor = (
  userId: string,
  counter = 0,
): MfaFactorRecord & { webauthn: WebAuthnCredential } => ({
  factorId: newId(),
  userId,
  type: 'webauthn',
  name: 'key',
  createdAt: T0,
  lastUsedAt: null,
  confirmedAt: T0,
  webauthn: {
    credentialId: `cred-${newId()}`,
    publicKey: 'pQECAyYgASFYIA',
    counter,
    transports: ['internal'],
    userHandle: 'aGFuZGxl',
    origin: 'self',
  },
});

const add = async (store: Store, factor: ReturnType<typeof aWebAuthnFactor>, count: number) =>
  store.addWebAuthnFactor({ factor, expectedCount: count, recovery: count === 0 ? SET : null });

/** WebAuthn's part of the Store contract (called from storeContract). */
export const webAuthnContract = (fresh: () => Promise<Store>) => {
  describe('WebAuthn factors', () => {
    it('holds at most MAX_FACTORS factors: of adds racing for the last place one fits', async () => {
      const store = await fresh();
      const userId = newId();
      for (let i = 0; i < MAX_FACTORS - 1; i++) {
        expect(await add(store, aWebAuthnFactor(userId), i)).toBe('done');
      }
      // Three adds that all read MAX_FACTORS - 1: one fits, the others lose the count.
      const racing = [1, 2, 3].map(() => aWebAuthnFactor(userId));
      const outcomes = await Promise.all(racing.map((f) => add(store, f, MAX_FACTORS - 1)));
      expect(outcomes.filter((o) => o === 'done')).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'done')).toEqual(['raced', 'raced']);
      const late = aWebAuthnFactor(userId);
      expect(await add(store, late, MAX_FACTORS)).toBe('full');
      expect(await store.findWebAuthnCredential(late.webauthn.credentialId)).toBeNull();
      expect((await store.getMfaState(userId)).factors).toHaveLength(MAX_FACTORS);
    });

    it('adds a factor with its credential lookup, once per credential id, under the count', async () => {
      const store = await fresh();
      const userId = newId();
      const factor = aWebAuthnFactor(userId);
      expect(await add(store, factor, 1)).toBe('raced');
      expect(await store.findWebAuthnCredential(factor.webauthn.credentialId)).toBeNull();
      const outcomes = await Promise.all([1, 2, 3].map(() => add(store, factor, 0)));
      expect(outcomes.filter((o) => o === 'done')).toHaveLength(1);
      const state = await store.getMfaState(userId);
      expect(state.factors).toEqual([factor]);
      expect(state.recovery?.salt).toBe(SET.salt);
      expect(await store.findWebAuthnCredential(factor.webauthn.credentialId)).toEqual({
        credentialId: factor.webauthn.credentialId,
        userId,
        factorId: factor.factorId,
      });
      // The same credential id for another user: taken.
      const thief = { ...aWebAuthnFactor(newId()), webauthn: factor.webauthn };
      expect(await add(store, thief, 0)).toBe('taken');
    });

    it('spends a counter only forward, or 0 after 0, whatever the concurrency', async () => {
      const store = await fresh();
      const userId = newId();
      const zero = aWebAuthnFactor(userId, 0);
      const counted = aWebAuthnFactor(userId, 5);
      expect(await add(store, zero, 0)).toBe('done');
      expect(await add(store, counted, 1)).toBe('done');
      const proof = (factorId: string, counter: number) =>
        ({ kind: 'webauthn', userId, factorId, counter }) as const;
      expect(await store.spendMfaProof(proof(zero.factorId, 0), T0 + 1)).toBe(true);
      expect(await store.spendMfaProof(proof(zero.factorId, 0), T0 + 2)).toBe(true);
      expect(await store.spendMfaProof(proof(counted.factorId, 5), T0)).toBe(false);
      expect(await store.spendMfaProof(proof(counted.factorId, 0), T0)).toBe(false);
      const race = await Promise.all(
        [1, 2, 3, 4].map(() => store.spendMfaProof(proof(counted.factorId, 6), T0 + 3)),
      );
      expect(race.filter(Boolean)).toHaveLength(1);
      expect(await store.spendMfaProof(proof(counted.factorId, 6), T0 + 4)).toBe(false);
      const after = (await store.getMfaState(userId)).factors.find(
        (f) => f.factorId === counted.factorId,
      );
      expect(after?.webauthn?.counter).toBe(6);
      expect(after?.lastUsedAt).toBe(T0 + 3);
      // Once a counter moved, a 0 (a clone's or a reset authenticator's) is refused.
      expect(await store.spendMfaProof(proof(zero.factorId, 1), T0)).toBe(true);
      expect(await store.spendMfaProof(proof(zero.factorId, 0), T0)).toBe(false);
    });

    it('spends a WebAuthn proof with an mfa_token in one step, the stale counter refused', async () => {
      const store = await fresh();
      const userId = newId();
      const factor = aWebAuthnFactor(userId, 3);
      expect(await add(store, factor, 0)).toBe('done');
      const token: MfaTokenRecord = {
        hash: newId(),
        userId,
        context: { method: 'password', clientId: null, sid: null, amr: ['pwd'] },
        createdAt: T0,
        expiresAt: T0 + 300_000,
        usedAt: null,
        failuresAtIssue: 0,
      };
      await store.createMfaToken(token);
      const request = (counter: number) => ({
        tokenHash: token.hash,
        at: T0 + 1,
        proof: { kind: 'webauthn' as const, userId, factorId: factor.factorId, counter },
        lockout: { key: `u:${userId}`, maxFailures: 5 },
      });
      expect(await store.completeMfaChallenge(request(3))).toBe('proof_refused');
      expect((await store.getMfaToken(token.hash))?.usedAt).toBeNull();
      expect(await store.completeMfaChallenge(request(4))).toBe('done');
      expect(await store.completeMfaChallenge(request(9))).toBe('token_invalid');
    });

    it('takes a removed or cleared factor’s lookup with it, in the same write', async () => {
      const store = await fresh();
      const userId = newId();
      const first = aWebAuthnFactor(userId);
      const second = aWebAuthnFactor(userId);
      expect(await add(store, first, 0)).toBe('done');
      expect(await add(store, second, 1)).toBe('done');
      // A removal that would orphan the lookup (no credential id given) is refused.
      expect(await store.removeFactor(userId, first.factorId, 2)).toBe('gone');
      expect(await store.removeFactor(userId, first.factorId, 2, first.webauthn.credentialId)).toBe(
        'done',
      );
      expect(await store.findWebAuthnCredential(first.webauthn.credentialId)).toBeNull();
      expect(await store.findWebAuthnCredential(second.webauthn.credentialId)).not.toBeNull();
      expect(
        await store.clearFactors(userId, [second.factorId], [second.webauthn.credentialId]),
      ).toBe('done');
      expect(await store.findWebAuthnCredential(second.webauthn.credentialId)).toBeNull();
      expect(await store.getMfaState(userId)).toEqual({ factors: [], recovery: null });
    });

    it('answers a challenge once, only within its time', async () => {
      const store = await fresh();
      const record = {
        challenge: `ch-${newId()}`,
        purpose: 'passkey' as const,
        userId: null,
        expiresAt: T0 + 300_000,
      };
      await store.createWebAuthnChallenge(record);
      const takes = await Promise.all(
        [1, 2, 3].map(() => store.takeWebAuthnChallenge(record.challenge, T0)),
      );
      expect(takes.filter((t) => t !== null)).toEqual([record]);
      const late = { ...record, challenge: `ch-${newId()}`, mfaTokenHash: 'h', userId: 'u' };
      await store.createWebAuthnChallenge(late);
      expect(await store.takeWebAuthnChallenge(late.challenge, late.expiresAt)).toBeNull();
      expect(await store.takeWebAuthnChallenge(late.challenge, T0)).toBeNull();
    });
  });
};
