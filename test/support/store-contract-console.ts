import { describe, expect, it } from 'vitest';
import { type LockoutPolicy, secondsLocked } from '../../src/core/sessions/lockout';
import { newId, sha256 } from '../../src/core/shared/ids';
import type { RefreshTokenRecord, SessionRecord, Store } from '../../src/core/shared/store';
import { aUser } from './users';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const policy: LockoutPolicy = { threshold: 3, baseSeconds: 30, maxSeconds: 900 };

const session = (userId: string, createdAt: number, extra: Partial<SessionRecord> = {}) =>
  ({
    sid: newId(),
    userId,
    clientId: null,
    createdAt,
    expiresAt: createdAt + HOUR,
    revokedAt: null,
    credentialVersion: 0,
    ...extra,
  }) satisfies SessionRecord;

const refreshOf = (s: SessionRecord, createdAt = s.createdAt): RefreshTokenRecord => ({
  hash: sha256(newId()),
  sid: s.sid,
  userId: s.userId,
  createdAt,
  expiresAt: s.expiresAt,
  usedAt: null,
});

const fail = (store: Store, key: string, at: number, holder = { login: `${key}@x.test` }) =>
  store.recordLoginFailure(key, { at, expiresAt: at + HOUR, policy, unlessLocked: true, holder });

/** What the console's user page and lockouts view read: a user's live sessions, the locks. */
export const consoleContract = (fresh: () => Promise<Store>) => {
  describe('console listings', () => {
    it("lists a user's live sessions newest first, with where they came from and last use", async () => {
      const store = await fresh();
      const user = aUser();
      const other = aUser();
      await store.createUser(user);
      await store.createUser(other);
      const older = session(user.id, T0, { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11)' });
      const newer = session(user.id, T0 + 10);
      const ended = session(user.id, T0 + 20);
      const expired = session(user.id, T0 - 2 * HOUR);
      const refresh = refreshOf(older);
      await store.createSession(older, refresh);
      for (const s of [newer, ended, expired, session(other.id, T0)]) {
        await store.createSession(s, refreshOf(s));
      }
      await store.revokeSession(ended.sid, T0 + 30);
      // A rotation stamps the session's last use in its own write.
      expect(await store.rotateRefreshToken(refresh.hash, refreshOf(older, T0 + 40), T0 + 40)).toBe(
        'rotated',
      );
      const listed = await store.listUserSessions(user.id, T0 + 50, 10);
      expect(listed.more).toBe(false);
      expect(listed.sessions.map((s) => s.sid)).toEqual([newer.sid, older.sid]);
      expect(listed.sessions[1]).toMatchObject({
        ip: '203.0.113.9',
        userAgent: 'Mozilla/5.0 (X11)',
        lastUsedAt: T0 + 40,
      });
      expect(listed.sessions[0]).not.toHaveProperty('lastUsedAt');
      const one = await store.listUserSessions(user.id, T0 + 50, 1);
      expect(one).toEqual({ sessions: [listed.sessions[0]], more: true });
    });

    it('lists a counter exactly while it is locked, naming its holder', async () => {
      const store = await fresh();
      const key = sha256(newId());
      await fail(store, key, T0);
      await fail(store, key, T0 + 1);
      expect(await store.listLoginLocks(T0 + 2, policy, 10)).toEqual({ locks: [], partial: false });
      await fail(store, key, T0 + 2);
      const { locks, partial } = await store.listLoginLocks(T0 + 3, policy, 10);
      expect(partial).toBe(false);
      expect(locks).toEqual([
        {
          key,
          failures: 3,
          lastFailureAt: T0 + 2,
          lockedUntil: T0 + 2 + 30_000,
          holder: { login: `${key}@x.test` },
        },
      ]);
      // The lock's end: no longer listed, though the count is kept.
      expect(await store.listLoginLocks(T0 + 2 + 30_000, policy, 10)).toEqual({
        locks: [],
        partial: false,
      });
      // A failure after it locks again, longer; a clear ends it and its listing at once.
      await fail(store, key, T0 + 40_000);
      expect((await store.listLoginLocks(T0 + 40_001, policy, 10)).locks[0]).toMatchObject({
        failures: 4,
        lockedUntil: T0 + 40_000 + 60_000,
      });
      expect(await store.clearLoginFailures(key)).toEqual({ holder: { login: `${key}@x.test` } });
      expect(await store.clearLoginFailures(key)).toBeNull();
      expect(await store.listLoginLocks(T0 + 40_002, policy, 10)).toEqual({
        locks: [],
        partial: false,
      });
    });

    it('forgets the listing when the count starts over after a quiet spell', async () => {
      const store = await fresh();
      const key = sha256(newId());
      for (let i = 0; i < 3; i++) await fail(store, key, T0 + i, { userId: 'u1' } as never);
      expect((await store.listLoginLocks(T0 + 5, policy, 10)).locks[0]?.holder).toEqual({
        userId: 'u1',
      });
      const later = T0 + 2 * 900_000 + 60_000;
      expect((await fail(store, key, later)).failures).toBe(1);
      expect((await store.listLoginLocks(later + 1, policy, 10)).locks).toEqual([]);
    });

    it('lists the lock a burst of failures makes, and no lock once a racing clear wins', async () => {
      const store = await fresh();
      const keys = Array.from({ length: 3 }, () => sha256(newId()));
      await Promise.all(
        keys.flatMap((key) => Array.from({ length: 12 }, () => fail(store, key, T0))),
      );
      expect(
        (await store.listLoginLocks(T0 + 1, policy, 10)).locks.map((l) => l.key).sort(),
      ).toEqual([...keys].sort());
      // Clears racing failures: whatever order they land in, the listing agrees with the counter.
      const key = keys[0] as string;
      await Promise.all([
        store.clearLoginFailures(key),
        ...Array.from({ length: 6 }, (_, i) => fail(store, key, T0 + 2 + i)),
        store.clearLoginFailures(key),
      ]);
      const now = T0 + 100;
      const locked = secondsLocked(await store.getLoginFailures(key), now, policy) > 0;
      const listed = (await store.listLoginLocks(now, policy, 10)).locks.some((l) => l.key === key);
      expect(listed).toBe(locked);
    });
  });
};
