import { describe, expect, it } from 'vitest';
import { newId, sha256 } from '../../src/core/shared/ids';
import type { Revocation, SessionRecord, Store } from '../../src/core/shared/store';

const T0 = Date.UTC(2026, 0, 1);

const session = (userId: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  sid: newId(),
  userId,
  clientId: null,
  createdAt: T0,
  expiresAt: T0 + 3_600_000,
  revokedAt: null,
  ...extra,
});

const open = async (store: Store, s: SessionRecord) =>
  store.createSession(s, {
    hash: sha256(newId()),
    sid: s.sid,
    userId: s.userId,
    createdAt: T0,
    expiresAt: s.expiresAt,
    usedAt: null,
  });

/** The feed's entries naming these sessions (a shared table holds other tests' entries too). */
const entriesOf = async (store: Store, since: number, sessions: SessionRecord[]) => {
  const sids = new Set(sessions.map((s) => s.sid));
  return (await store.revocationsSince(since))
    .filter((entry) => sids.has(entry.sid))
    .sort((a, b) => a.at - b.at || a.sid.localeCompare(b.sid));
};

const entry = (s: SessionRecord, at: number): Revocation => ({ sid: s.sid, at });

/**
 * Store.revocationsSince: the feed names exactly the sessions that ended, each once, at its
 * end, whichever way it ended (one session, a user's sweep, a client's, a consent's).
 */
export const revocationFeedContract = (fresh: () => Promise<Store>) => {
  describe('revocation feed', () => {
    it('records one entry when a session ends, none for a second revocation or an unknown sid', async () => {
      const store = await fresh();
      const live = session('u1');
      await open(store, live);
      expect(await entriesOf(store, T0, [live])).toEqual([]);
      await store.revokeSession(live.sid, T0 + 500);
      await store.revokeSession(live.sid, T0 + 900);
      await store.revokeSession(newId(), T0 + 900);
      expect(await entriesOf(store, T0, [live])).toEqual([entry(live, T0 + 500)]);
      expect(await entriesOf(store, T0 + 501, [live])).toEqual([]);
      expect(await entriesOf(store, T0 + 500, [live])).toEqual([entry(live, T0 + 500)]);
    });

    it("records a user's sweep session by session, sparing what it spares", async () => {
      const store = await fresh();
      const userId = newId();
      const kept = session(userId);
      const other = session(newId());
      const ended = [session(userId), session(userId)];
      for (const s of [kept, other, ...ended]) await open(store, s);
      const at = T0 + 1000;
      expect(
        await store.revokeUserSessions(userId, at, { keepSid: kept.sid, belowVersion: 3 }),
      ).toBe(2);
      const found = await entriesOf(store, T0, [kept, other, ...ended]);
      expect(found.map((e) => e.sid).sort()).toEqual(ended.map((s) => s.sid).sort());
      // Each entry is stamped when written: never before the sweep began.
      for (const e of found) expect(e.at).toBeGreaterThanOrEqual(at);
    });

    it("records a client's sessions ended by its deletion or a consent's withdrawal", async () => {
      const store = await fresh();
      const clientId = `gh_${newId()}`;
      const ann = session('ann', { clientId });
      const bob = session('bob', { clientId });
      for (const s of [ann, bob]) await open(store, s);
      expect(await store.revokeUserClientSessions('ann', clientId, T0 + 10)).toBe(1);
      expect(await entriesOf(store, T0, [ann, bob])).toEqual([entry(ann, T0 + 10)]);
      expect(await store.revokeClientSessions(clientId, T0 + 20)).toBe(1);
      expect((await entriesOf(store, T0, [ann, bob])).map((e) => e.sid)).toEqual([
        ann.sid,
        bob.sid,
      ]);
    });
  });
};
