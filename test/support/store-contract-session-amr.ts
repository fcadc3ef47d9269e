import { describe, expect, it } from 'vitest';
import { newId, sha256 } from '../../src/core/shared/ids';
import type { RefreshTokenRecord, SessionRecord, Store } from '../../src/core/shared/store';
import { aUser } from './users';

const T0 = Date.UTC(2026, 0, 1);

const session = (userId: string, amr?: string[]): SessionRecord => ({
  sid: newId(),
  userId,
  clientId: null,
  createdAt: T0,
  expiresAt: T0 + 3_600_000,
  revokedAt: null,
  credentialVersion: 0,
  ...(amr ? { amr } : {}),
});

const refreshOf = (s: SessionRecord): RefreshTokenRecord => ({
  hash: sha256(newId()),
  sid: s.sid,
  userId: s.userId,
  createdAt: T0,
  expiresAt: s.expiresAt,
  usedAt: null,
});

/** Store.addSessionAmr: a first factor's confirm marks the confirming session, nothing else. */
export const sessionAmrContract = (fresh: () => Promise<Store>) => {
  describe('session amr', () => {
    it('adds methods to a live session only, keeping its refresh token and generation', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const live = session(user.id, ['pwd']);
      const refresh = refreshOf(live);
      await store.createSession(live, refresh);
      expect(await store.addSessionAmr(live.sid, ['otp', 'mfa'], T0 + 5)).toBe(true);
      expect(await store.getSession(live.sid)).toMatchObject({
        amr: ['pwd', 'otp', 'mfa'],
        revokedAt: null,
      });
      expect(await store.getSession(live.sid)).not.toHaveProperty('refreshGeneration');
      // The API client's refresh token stays valid: the next refresh carries the new amr.
      expect(await store.getRefreshToken(refresh.hash)).toMatchObject({ usedAt: null });
      // Adding what is there changes nothing.
      expect(await store.addSessionAmr(live.sid, ['mfa'], T0 + 6)).toBe(true);
      expect((await store.getSession(live.sid))?.amr).toEqual(['pwd', 'otp', 'mfa']);
    });

    it('derives the methods of a session stored without them before adding', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const old = session(user.id);
      await store.createSession(old, null);
      expect(await store.addSessionAmr(old.sid, ['hwk', 'mfa'], T0 + 5)).toBe(true);
      expect((await store.getSession(old.sid))?.amr).toEqual(['pwd', 'hwk', 'mfa']);
    });

    it('never marks an ended, expired or unknown session', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const ended = session(user.id, ['pwd']);
      await store.createSession(ended, null);
      await store.revokeSession(ended.sid, T0 + 1);
      const expired = session(user.id, ['pwd']);
      await store.createSession(expired, null);
      expect(await store.addSessionAmr(ended.sid, ['otp', 'mfa'], T0 + 5)).toBe(false);
      expect(await store.addSessionAmr(expired.sid, ['otp', 'mfa'], T0 + 3_600_000)).toBe(false);
      expect(await store.addSessionAmr(newId(), ['otp', 'mfa'], T0 + 5)).toBe(false);
      expect((await store.getSession(ended.sid))?.amr).toEqual(['pwd']);
      expect((await store.getSession(expired.sid))?.amr).toEqual(['pwd']);
    });

    it('keeps both a concurrent renewal’s methods and the added ones', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const live = session(user.id, ['pwd']);
      await store.createSession(live, refreshOf(live));
      const refresh = { ...refreshOf(live), createdAt: T0 + 5, generation: 1 };
      await Promise.all([
        store.renewSession({
          refresh,
          credentialVersion: 0,
          authTime: T0 + 5,
          amr: ['pwd', 'hwk', 'mfa'],
          clearLoginFailures: 'k',
        }),
        store.addSessionAmr(live.sid, ['otp', 'mfa'], T0 + 5),
      ]);
      const amr = (await store.getSession(live.sid))?.amr ?? [];
      // The renewal writes its whole amr: added methods land after it or are re-added on it.
      expect(amr).toEqual(expect.arrayContaining(['pwd', 'hwk', 'mfa']));
    });
  });
};
