import { describe, expect, it } from 'vitest';
import { newId, sha256 } from '../../src/core/shared/ids';
import type { RefreshTokenRecord, SessionRecord, Store } from '../../src/core/shared/store';
import { aUser } from './users';

const T0 = Date.UTC(2026, 0, 1);
const FOREVER = Date.UTC(9999, 11, 31);
const conflict = expect.objectContaining({ code: 'conflict' });

const importedSession = (userId: string): SessionRecord => ({
  sid: newId(),
  userId,
  clientId: null,
  createdAt: T0,
  expiresAt: FOREVER,
  revokedAt: null,
  credentialVersion: 0,
  origin: 'import',
});

const importedRefresh = (session: SessionRecord, value: string): RefreshTokenRecord => ({
  hash: sha256(value),
  sid: session.sid,
  userId: session.userId,
  createdAt: T0,
  expiresAt: FOREVER,
  usedAt: null,
  imported: true,
});

/**
 * Imported refresh credentials' part of the Store contract (core/sessions/imported-refresh.ts):
 * a refresh hash names one session ever, the `imported` mark comes back, and a sweep can be
 * limited to the sessions of one origin.
 */
export const importedRefreshContract = (fresh: () => Promise<Store>) => {
  describe('imported refresh credentials', () => {
    it('keeps the imported mark and the far expiry, and refuses a hash already stored', async () => {
      const store = await fresh();
      const [ann, bob] = [aUser(), aUser()];
      await store.createUser(ann);
      await store.createUser(bob);
      const first = importedSession(ann.id);
      await store.createSession(first, importedRefresh(first, 'the-other-systems-token'));
      expect(await store.getRefreshToken(sha256('the-other-systems-token'))).toEqual(
        importedRefresh(first, 'the-other-systems-token'),
      );
      expect(await store.getSession(first.sid)).toMatchObject({
        origin: 'import',
        expiresAt: FOREVER,
      });
      // The same value for someone else (or again): refused, and nothing of it written.
      const stolen = importedSession(bob.id);
      await expect(
        store.createSession(stolen, importedRefresh(stolen, 'the-other-systems-token')),
      ).rejects.toEqual(conflict);
      expect(await store.getSession(stolen.sid)).toBeNull();
      expect(await store.getRefreshToken(sha256('the-other-systems-token'))).toMatchObject({
        sid: first.sid,
        userId: ann.id,
      });
      expect((await store.getUser(bob.id))?.lastSignInAt).toBeNull();
    });

    it('sweeps only imported credentials when asked, sparing keepSid, one made just before included', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const signIn: SessionRecord = {
        ...importedSession(user.id),
        origin: 'self',
        expiresAt: T0 + 3_600_000,
      };
      const old = importedSession(user.id);
      const current = importedSession(user.id);
      await store.createSession(signIn, null);
      await store.createSession(old, importedRefresh(old, 'old-value-0123456789'));
      await store.createSession(current, importedRefresh(current, 'new-value-0123456789'));
      expect(
        await store.revokeUserSessions(user.id, T0 + 1, {
          importedOnly: true,
          keepSid: current.sid,
        }),
      ).toBe(1);
      expect((await store.getSession(old.sid))?.revokedAt).toBe(T0 + 1);
      expect((await store.getSession(current.sid))?.revokedAt).toBeNull();
      expect((await store.getSession(signIn.sid))?.revokedAt).toBeNull();
      expect(await store.revokeUserSessions(user.id, T0 + 2, { importedOnly: true })).toBe(1);
      expect((await store.getSession(signIn.sid))?.revokedAt).toBeNull();
    });
  });
};
