import { describe, expect, it } from 'vitest';
import { MAX_FACTORS } from '../../src/core/mfa/factor-cap';
import type { MfaFactorRecord, PendingFactorRecord } from '../../src/core/mfa/factors';
import type { MfaTokenRecord } from '../../src/core/mfa/mfa-tokens';
import { newId } from '../../src/core/shared/ids';
import type { Store } from '../../src/core/shared/store';

const T0 = Date.UTC(2026, 0, 1);
const POLICY = { threshold: 3, baseSeconds: 30, maxSeconds: 900 };

const aPending = (userId: string, at = T0): PendingFactorRecord => ({
  factorId: newId(),
  userId,
  type: 'totp',
  name: 'phone',
  createdAt: at,
  expiresAt: at + 600_000,
  totp: { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
});

const confirmedOf = (pending: PendingFactorRecord, lastStep = 100): MfaFactorRecord => ({
  factorId: pending.factorId,
  userId: pending.userId,
  type: 'totp',
  name: pending.name,
  createdAt: pending.createdAt,
  lastUsedAt: null,
  confirmedAt: T0,
  totp: { secret: pending.totp?.secret as string, lastStep },
});

const SET = { salt: 'salt-1', hashes: ['h1', 'h2', 'h3'] };

/** A user with `count` confirmed TOTP factors (the first brings SET). */
const withFactors = async (store: Store, count: number, userId = newId()) => {
  const factors: MfaFactorRecord[] = [];
  for (let i = 0; i < count; i++) {
    const pending = aPending(userId);
    await store.createPendingFactor(pending);
    const factor = confirmedOf(pending);
    expect(
      await store.confirmFactor({
        factor,
        at: T0,
        expectedCount: i,
        recovery: i === 0 ? SET : null,
      }),
    ).toBe('done');
    factors.push(factor);
  }
  return { userId, factors };
};

const aToken = (userId: string, overrides: Partial<MfaTokenRecord> = {}): MfaTokenRecord => ({
  hash: newId(),
  userId,
  context: { method: 'password', clientId: null, sid: null, amr: ['pwd'] },
  createdAt: T0,
  expiresAt: T0 + 300_000,
  usedAt: null,
  failuresAtIssue: 0,
  ...overrides,
});

/** MFA's part of the Store contract (called from storeContract). */
export const mfaContract = (fresh: () => Promise<Store>) => {
  describe('MFA factors', () => {
    it('keeps a pending factor apart until it is confirmed, once, by its user, in time', async () => {
      const store = await fresh();
      const userId = newId();
      expect(await store.getMfaState(userId)).toEqual({ factors: [], recovery: null });
      const pending = aPending(userId);
      await store.createPendingFactor(pending);
      expect(await store.getPendingFactor(pending.factorId)).toEqual(pending);
      expect((await store.getMfaState(userId)).factors).toEqual([]);
      const factor = confirmedOf(pending);
      const request = { factor, at: T0, expectedCount: 0, recovery: SET };
      expect(await store.confirmFactor({ ...request, factor: { ...factor, userId: 'x' } })).toBe(
        'gone',
      );
      expect(await store.confirmFactor({ ...request, at: pending.expiresAt })).toBe('gone');
      expect(await store.confirmFactor({ ...request, expectedCount: 1 })).toBe('raced');
      const outcomes = await Promise.all([1, 2, 3].map(() => store.confirmFactor(request)));
      expect(outcomes.filter((o) => o === 'done')).toHaveLength(1);
      expect(await store.getPendingFactor(pending.factorId)).toBeNull();
      const state = await store.getMfaState(userId);
      expect(state.factors).toEqual([factor]);
      expect(state.recovery).toEqual({
        salt: SET.salt,
        hashes: expect.arrayContaining(SET.hashes),
      });
    });

    it('accepts a TOTP step once and only after the last one, whatever the concurrency', async () => {
      const store = await fresh();
      const { userId, factors } = await withFactors(store, 1);
      const factorId = (factors[0] as MfaFactorRecord).factorId;
      const proof = (step: number) => ({ kind: 'totp' as const, userId, factorId, step });
      expect(await store.spendMfaProof(proof(100), T0)).toBe(false);
      const outcomes = await Promise.all(
        [1, 2, 3, 4].map(() => store.spendMfaProof(proof(101), T0 + 5)),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await store.spendMfaProof(proof(101), T0)).toBe(false);
      expect((await store.getMfaState(userId)).factors[0]).toMatchObject({
        lastUsedAt: T0 + 5,
        totp: { lastStep: 101 },
      });
      expect(await store.spendMfaProof({ ...proof(102), factorId: 'gone' }, T0)).toBe(false);
    });

    it('spends each recovery code once, only in the current set, and only while a factor exists', async () => {
      const store = await fresh();
      const { userId, factors } = await withFactors(store, 2);
      const code = (hash: string, salt = SET.salt) => ({
        kind: 'recovery' as const,
        userId,
        salt,
        hash,
      });
      const outcomes = await Promise.all([1, 2, 3].map(() => store.spendMfaProof(code('h1'), T0)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await store.spendMfaProof(code('h2', 'other-salt'), T0)).toBe(false);
      expect(
        await store.replaceRecoveryCodes(userId, { salt: 'salt-2', hashes: ['n1', 'n2'] }),
      ).toBe(true);
      expect(await store.spendMfaProof(code('h2'), T0)).toBe(false);
      expect(await store.spendMfaProof(code('n1', 'salt-2'), T0)).toBe(true);
      const [first, second] = factors as [MfaFactorRecord, MfaFactorRecord];
      expect(await store.removeFactor(userId, first.factorId, 1)).toBe('raced');
      expect(await store.removeFactor(userId, first.factorId, 2)).toBe('done');
      expect(await store.removeFactor(userId, first.factorId, 1)).toBe('gone');
      expect((await store.getMfaState(userId)).recovery).toEqual({
        salt: 'salt-2',
        hashes: ['n2'],
      });
      expect(await store.removeFactor(userId, second.factorId, 1)).toBe('done');
      expect(await store.getMfaState(userId)).toEqual({ factors: [], recovery: null });
      expect(await store.spendMfaProof(code('n2', 'salt-2'), T0)).toBe(false);
      expect(await store.replaceRecoveryCodes(userId, SET)).toBe(false);
    });

    it('confirms no factor past MAX_FACTORS, and leaves the pending one unspent', async () => {
      const store = await fresh();
      const { userId } = await withFactors(store, MAX_FACTORS);
      const pending = aPending(userId);
      await store.createPendingFactor(pending);
      const confirm = (expectedCount: number) =>
        store.confirmFactor({
          factor: confirmedOf(pending),
          at: T0,
          expectedCount,
          recovery: null,
        });
      expect(await confirm(MAX_FACTORS)).toBe('full');
      // A caller with a stale count cannot slip past the cap either.
      expect(await confirm(MAX_FACTORS - 1)).not.toBe('done');
      expect((await store.getMfaState(userId)).factors).toHaveLength(MAX_FACTORS);
      expect(await store.getPendingFactor(pending.factorId)).not.toBeNull();
    });

    it('clears exactly the factors listed, or nothing when one was added meanwhile', async () => {
      const store = await fresh();
      const { userId, factors } = await withFactors(store, 2);
      const ids = factors.map((factor) => factor.factorId);
      expect(await store.clearFactors(userId, ids.slice(1))).toBe('raced');
      expect((await store.getMfaState(userId)).factors).toHaveLength(2);
      expect(await store.clearFactors(userId, ids)).toBe('done');
      expect(await store.getMfaState(userId)).toEqual({ factors: [], recovery: null });
      expect(await store.clearFactors(userId, [])).toBe('done');
    });
  });

  describe('mfa tokens', () => {
    it('spends a token and its proof together, once, in time, for its user', async () => {
      const store = await fresh();
      const { userId, factors } = await withFactors(store, 1);
      const factorId = (factors[0] as MfaFactorRecord).factorId;
      const token = aToken(userId);
      await store.createMfaToken(token);
      expect(await store.getMfaToken(token.hash)).toEqual(token);
      const lockout = { key: `lock-${userId}`, maxFailures: POLICY.threshold };
      const request = (step: number, at = T0 + 1000) => ({
        tokenHash: token.hash,
        at,
        proof: { kind: 'totp' as const, userId, factorId, step },
        lockout,
      });
      expect(await store.completeMfaChallenge(request(101, token.expiresAt))).toBe('token_invalid');
      expect(
        await store.completeMfaChallenge({
          ...request(101),
          proof: { ...request(101).proof, userId: 'x' },
        }),
      ).toBe('token_invalid');
      expect(await store.completeMfaChallenge(request(100))).toBe('proof_refused');
      expect((await store.getMfaToken(token.hash))?.usedAt).toBeNull();
      const outcomes = await Promise.all(
        [101, 102, 103].map((step) => store.completeMfaChallenge(request(step))),
      );
      expect(outcomes.filter((o) => o === 'done')).toHaveLength(1);
      expect((await store.getMfaToken(token.hash))?.usedAt).toBe(T0 + 1000);
      expect(await store.completeMfaChallenge(request(104))).toBe('token_invalid');
    });

    it('refuses a token once the account failed more often than allowed since it was issued', async () => {
      const store = await fresh();
      const { userId, factors } = await withFactors(store, 1);
      const token = aToken(userId);
      await store.createMfaToken(token);
      const key = `lock-${userId}`;
      for (let i = 0; i < 4; i++)
        await store.recordLoginFailure(key, {
          at: T0 + i,
          expiresAt: T0 + 3_600_000,
          policy: POLICY,
          unlessLocked: false,
        });
      const proof = {
        kind: 'totp' as const,
        userId,
        factorId: (factors[0] as MfaFactorRecord).factorId,
        step: 101,
      };
      expect(
        await store.completeMfaChallenge({
          tokenHash: token.hash,
          at: T0 + 10,
          proof,
          lockout: { key, maxFailures: 3 },
        }),
      ).toBe('token_invalid');
      expect(
        await store.completeMfaChallenge({
          tokenHash: token.hash,
          at: T0 + 10,
          proof,
          lockout: { key, maxFailures: 4 },
        }),
      ).toBe('done');
    });
  });
};
