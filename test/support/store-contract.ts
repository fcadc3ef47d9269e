import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../src/core/errors';
import { newId, sha256 } from '../../src/core/ids';
import type { RefreshTokenRecord, SessionRecord, Store } from '../../src/core/store';
import { aUser } from './users';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

const aSession = (userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  sid: newId(),
  userId,
  clientId: null,
  createdAt: T0,
  expiresAt: T0 + 24 * HOUR,
  revokedAt: null,
  ...overrides,
});

const aRefresh = (session: SessionRecord, secret = newId()): RefreshTokenRecord => ({
  hash: sha256(secret),
  sid: session.sid,
  userId: session.userId,
  createdAt: T0,
  expiresAt: session.expiresAt,
  usedAt: null,
});

const conflict = expect.objectContaining({ code: 'conflict' });

/**
 * What every Store must do. Runs against the in-memory store (unit) and DynamoDB Local
 * (integration); `fresh` gives an empty store each time.
 */
export const storeContract = (name: string, fresh: () => Promise<Store>) => {
  describe(`Store contract: ${name}`, () => {
    describe('users', () => {
      it('creates a user and finds it by id, email and username', async () => {
        const store = await fresh();
        const user = aUser({ email: 'Ann@Example.com', username: 'Ann' });
        await store.createUser(user);
        expect(await store.getUser(user.id)).toEqual(user);
        expect(await store.findUserByEmail('ann@example.com')).toEqual(user);
        expect(await store.findUserByUsername('ann')).toEqual(user);
        expect(await store.getUser(newId())).toBeNull();
        expect(await store.findUserByEmail('nobody@example.com')).toBeNull();
        expect(await store.findUserByUsername('nobody')).toBeNull();
      });

      it('refuses a taken email or username and writes nothing of the refused user', async () => {
        const store = await fresh();
        const first = aUser({ email: 'taken@example.com', username: 'taken' });
        await store.createUser(first);
        const sameEmail = aUser({ email: 'TAKEN@example.com', username: 'other' });
        await expect(store.createUser(sameEmail)).rejects.toEqual(conflict);
        const sameUsername = aUser({ email: 'other@example.com', username: 'Taken' });
        await expect(store.createUser(sameUsername)).rejects.toThrow(GatehouseError);
        expect(await store.getUser(sameEmail.id)).toBeNull();
        expect(await store.getUser(sameUsername.id)).toBeNull();
        expect(await store.findUserByUsername('other')).toBeNull();
        expect(await store.findUserByEmail('other@example.com')).toBeNull();
      });

      it('keeps users without a username', async () => {
        const store = await fresh();
        const a = aUser({ username: null });
        const b = aUser({ username: null });
        await store.createUser(a);
        await store.createUser(b);
        expect((await store.getUser(b.id))?.username).toBeNull();
      });

      it('lets exactly one of many concurrent first owners through', async () => {
        const store = await fresh();
        expect(await store.hasActiveOwner()).toBe(false);
        const owners = Array.from({ length: 5 }, (_, i) =>
          aUser({ role: 'owner', email: `owner${i}@example.com`, username: `owner${i}` }),
        );
        const results = await Promise.allSettled(owners.map((o) => store.createFirstOwner(o)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toEqual(conflict);
        expect(await store.hasActiveOwner()).toBe(true);
        const stored = await Promise.all(owners.map((o) => store.getUser(o.id)));
        expect(stored.filter(Boolean)).toHaveLength(1);
      });

      it('counts an owner created as a plain user, so no first owner follows', async () => {
        const store = await fresh();
        await store.createUser(aUser({ role: 'owner' }));
        expect(await store.hasActiveOwner()).toBe(true);
        await expect(store.createFirstOwner(aUser({ role: 'owner' }))).rejects.toEqual(conflict);
      });

      it('records sign-ins and password changes', async () => {
        const store = await fresh();
        const user = aUser({ passwordHash: 'old' });
        await store.createUser(user);
        await store.recordSignIn(user.id, T0 + HOUR);
        await store.updatePasswordHash(user.id, 'new', T0 + 2 * HOUR);
        const stored = await store.getUser(user.id);
        expect(stored).toMatchObject({
          lastSignInAt: T0 + HOUR,
          passwordHash: 'new',
          updatedAt: T0 + 2 * HOUR,
        });
      });
    });

    describe('sessions', () => {
      it('stores a session and its refresh token', async () => {
        const store = await fresh();
        const session = aSession('u1');
        const refresh = aRefresh(session);
        await store.createSession(session, refresh);
        expect(await store.getSession(session.sid)).toEqual(session);
        expect(await store.getRefreshToken(refresh.hash)).toEqual(refresh);
        expect(await store.getRefreshToken(sha256('unknown'))).toBeNull();
      });

      it('rotates a refresh token exactly once', async () => {
        const store = await fresh();
        const session = aSession('u1');
        const first = aRefresh(session);
        await store.createSession(session, first);
        const second = aRefresh(session);
        expect(await store.rotateRefreshToken(first.hash, second, T0 + 1000)).toBe('rotated');
        expect((await store.getRefreshToken(first.hash))?.usedAt).toBe(T0 + 1000);
        expect(await store.getRefreshToken(second.hash)).toEqual(second);
        expect(await store.rotateRefreshToken(first.hash, aRefresh(session), T0 + 2000)).toBe(
          'already_used',
        );
      });

      it('lets one of two concurrent rotations of the same token win', async () => {
        const store = await fresh();
        const session = aSession('u1');
        const first = aRefresh(session);
        await store.createSession(session, first);
        const outcomes = await Promise.all([
          store.rotateRefreshToken(first.hash, aRefresh(session), T0 + 1000),
          store.rotateRefreshToken(first.hash, aRefresh(session), T0 + 1000),
        ]);
        expect(outcomes.sort()).toEqual(['already_used', 'rotated']);
      });

      it('does not rotate within a revoked session', async () => {
        const store = await fresh();
        const session = aSession('u1');
        const first = aRefresh(session);
        await store.createSession(session, first);
        await store.revokeSession(session.sid, T0 + 500);
        await store.revokeSession(session.sid, T0 + 900); // revoking twice keeps the first time
        expect((await store.getSession(session.sid))?.revokedAt).toBe(T0 + 500);
        const next = aRefresh(session);
        expect(await store.rotateRefreshToken(first.hash, next, T0 + 1000)).toBe('session_revoked');
        expect(await store.getRefreshToken(next.hash)).toBeNull();
      });

      it("revokes all of one user's sessions and nobody else's", async () => {
        const store = await fresh();
        const mine = [aSession('me'), aSession('me'), aSession('me')];
        const theirs = aSession('them');
        for (const s of [...mine, theirs]) await store.createSession(s, aRefresh(s));
        await store.revokeSession(mine[0]?.sid as string, T0);
        expect(await store.revokeUserSessions('me', T0 + 1000)).toBe(2);
        for (const s of mine) expect((await store.getSession(s.sid))?.revokedAt).not.toBeNull();
        expect((await store.getSession(theirs.sid))?.revokedAt).toBeNull();
        expect(await store.revokeUserSessions('nobody', T0)).toBe(0);
      });
    });

    describe('login failures', () => {
      it('counts, starts over and clears', async () => {
        const store = await fresh();
        const expiresAt = T0 + HOUR;
        expect(await store.getLoginFailures('k')).toBeNull();
        await store.recordLoginFailure('k', { at: T0, startOver: true, expiresAt });
        await store.recordLoginFailure('k', { at: T0 + 1, startOver: false, expiresAt });
        expect(
          await store.recordLoginFailure('k', { at: T0 + 2, startOver: false, expiresAt }),
        ).toEqual({
          failures: 3,
          lastFailureAt: T0 + 2,
        });
        expect(await store.getLoginFailures('k')).toEqual({ failures: 3, lastFailureAt: T0 + 2 });
        await store.recordLoginFailure('k', { at: T0 + 3, startOver: true, expiresAt });
        expect((await store.getLoginFailures('k'))?.failures).toBe(1);
        await store.clearLoginFailures('k');
        expect(await store.getLoginFailures('k')).toBeNull();
        await store.clearLoginFailures('never-failed');
      });

      it('loses no concurrent failure', async () => {
        const store = await fresh();
        await store.recordLoginFailure('c', { at: T0, startOver: true, expiresAt: T0 + HOUR });
        await Promise.all(
          Array.from({ length: 8 }, () =>
            store.recordLoginFailure('c', { at: T0 + 1, startOver: false, expiresAt: T0 + HOUR }),
          ),
        );
        expect((await store.getLoginFailures('c'))?.failures).toBe(9);
      });
    });

    describe('published keys', () => {
      const jwk = (kid: string) =>
        ({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid, alg: 'ES256', use: 'sig' }) as const;

      it('publishes keys and never goes back to an older generation', async () => {
        const store = await fresh();
        expect(await store.getPublishedKeys()).toBeNull();
        await store.publishKeys(1, [jwk('a')]);
        await store.publishKeys(2, [jwk('b'), jwk('a')]);
        await store.publishKeys(1, [jwk('a')]);
        expect(await store.getPublishedKeys()).toEqual({
          generation: 2,
          keys: [jwk('b'), jwk('a')],
        });
      });
    });
  });
};
