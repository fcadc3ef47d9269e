import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/audit/audit';
import { GatehouseError } from '../../src/core/shared/errors';
import { newId, sha256 } from '../../src/core/shared/ids';
import type {
  AuditQuery,
  Position,
  RefreshTokenRecord,
  SessionRecord,
  Store,
  UserListQuery,
} from '../../src/core/shared/store';
import type { ApiTokenRecord } from '../../src/core/tokens/api-tokens';
import type { UserRecord } from '../../src/core/users/users';
import { loginFailuresContract } from './login-failures-contract';
import { activityContract } from './store-contract-activity';
import { consoleContract } from './store-contract-console';
import { credentialVersionContract } from './store-contract-credentials';
import { importedRefreshContract } from './store-contract-imported';
import { lineageContract } from './store-contract-lineage';
import { linkingContract } from './store-contract-linking';
import { mfaContract } from './store-contract-mfa';
import { revocationFeedContract } from './store-contract-revocations';
import { sessionAmrContract } from './store-contract-session-amr';
import { webAuthnContract } from './store-contract-webauthn';
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
    linkingContract(fresh);
    credentialVersionContract(fresh);
    lineageContract(fresh);
    importedRefreshContract(fresh);
    mfaContract(fresh);
    webAuthnContract(fresh);
    sessionAmrContract(fresh);
    revocationFeedContract(fresh);
    activityContract(fresh);
    consoleContract(fresh);
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
        const login = (kind: 'email' | 'username', key: string) => store.findLogin({ kind, key });
        expect(await login('email', 'ann@example.com')).toMatchObject({ userId: user.id });
        expect(await login('username', 'ann')).toMatchObject({ userId: user.id });
        expect(await login('email', 'nobody@example.com')).toBeNull();
        expect(await login('username', 'nobody')).toBeNull();
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
        expect(await store.countActiveOwners()).toBe(0);
        const owners = Array.from({ length: 5 }, (_, i) =>
          aUser({ role: 'owner', email: `owner${i}@example.com`, username: `owner${i}` }),
        );
        const results = await Promise.allSettled(owners.map((o) => store.createFirstOwner(o)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toEqual(conflict);
        expect(await store.countActiveOwners()).toBe(1);
        const stored = await Promise.all(owners.map((o) => store.getUser(o.id)));
        expect(stored.filter(Boolean)).toHaveLength(1);
      });

      it('counts an owner created as a plain user, so no first owner follows', async () => {
        const store = await fresh();
        await store.createUser(aUser({ role: 'owner' }));
        expect(await store.countActiveOwners()).toBe(1);
        await expect(store.createFirstOwner(aUser({ role: 'owner' }))).rejects.toEqual(conflict);
      });

      it('records sign-ins (with the session they open) and password changes', async () => {
        const store = await fresh();
        const user = aUser({ passwordHash: 'old' });
        await store.createUser(user);
        const session = { ...aSession(user.id), createdAt: T0 + HOUR, credentialVersion: 0 };
        await store.createSession(session, aRefresh(session));
        await store.updatePasswordHash(user, 'new', T0 + 2 * HOUR, 'old');
        const stored = await store.getUser(user.id);
        expect(stored).toMatchObject({
          lastSignInAt: T0 + HOUR,
          passwordHash: 'new',
          updatedAt: T0 + 2 * HOUR,
        });
      });
    });

    describe('user changes', () => {
      it('updates a user, moving its unique email and username', async () => {
        const store = await fresh();
        const before = aUser({ email: 'old@example.com', username: 'old' });
        await store.createUser(before);
        const after = {
          ...before,
          email: 'New@example.com',
          emailKey: 'new@example.com',
          username: null,
          usernameKey: null,
          name: 'Renamed',
          updatedAt: before.updatedAt + 1,
        };
        await store.updateUser(before, after);
        expect(await store.getUser(before.id)).toEqual(after);
        expect(await store.findUserByEmail('new@example.com')).toEqual(after);
        expect(await store.findUserByEmail('old@example.com')).toBeNull();
        expect(await store.findUserByUsername('old')).toBeNull();
        // The freed email and username are free for someone else.
        await store.createUser(aUser({ email: 'old@example.com', username: 'old' }));
      });

      it('refuses a stale update, and a change to a taken email', async () => {
        const store = await fresh();
        const user = aUser();
        const other = aUser({ email: 'taken@example.com' });
        await store.createUser(user);
        await store.createUser(other);
        const renamed = { ...user, name: 'A', updatedAt: user.updatedAt + 1 };
        await store.updateUser(user, renamed);
        await expect(
          store.updateUser(user, { ...user, name: 'B', updatedAt: user.updatedAt + 2 }),
        ).rejects.toEqual(conflict);
        await expect(
          store.updateUser(renamed, {
            ...renamed,
            email: 'taken@example.com',
            emailKey: 'taken@example.com',
            updatedAt: renamed.updatedAt + 1,
          }),
        ).rejects.toEqual(conflict);
        expect(await store.getUser(user.id)).toEqual(renamed);
      });

      it('never loses the last active owner, even to two demotions at once', async () => {
        const store = await fresh();
        const a = aUser({ role: 'owner' });
        const b = aUser({ role: 'owner' });
        await store.createUser(a);
        await store.createUser(b);
        const results = await Promise.allSettled([
          store.updateUser(a, { ...a, role: 'admin', updatedAt: a.updatedAt + 1 }),
          store.updateUser(b, { ...b, status: 'disabled', updatedAt: b.updatedAt + 1 }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.countActiveOwners()).toBe(1);
        const owners = [await store.getUser(a.id), await store.getUser(b.id)].filter(
          (u) => u?.role === 'owner' && u.status === 'active',
        );
        expect(owners).toHaveLength(1);
        const [last] = owners as [NonNullable<(typeof owners)[number]>];
        await expect(store.deleteUser(last)).rejects.toEqual(conflict);
        // A new owner makes the old one removable.
        await store.createUser(aUser({ role: 'owner' }));
        await store.deleteUser(last);
        expect(await store.getUser(last.id)).toBeNull();
      });

      it('counts an owner made active again', async () => {
        const store = await fresh();
        const a = aUser({ role: 'owner' });
        const b = aUser({ role: 'admin' });
        await store.createUser(a);
        await store.createUser(b);
        const promoted = { ...b, role: 'owner' as const, updatedAt: b.updatedAt + 1 };
        await store.updateUser(b, promoted);
        await store.updateUser(a, { ...a, status: 'disabled', updatedAt: a.updatedAt + 1 });
        await expect(
          store.updateUser(promoted, {
            ...promoted,
            role: 'viewer',
            updatedAt: promoted.updatedAt + 1,
          }),
        ).rejects.toEqual(conflict);
      });

      it('deletes a user with its unique fields', async () => {
        const store = await fresh();
        const user = aUser({ email: 'gone@example.com', username: 'gone' });
        await store.createUser(user);
        await store.deleteUser(user);
        expect(await store.getUser(user.id)).toBeNull();
        expect(await store.findUserByEmail('gone@example.com')).toBeNull();
        await store.createUser(aUser({ email: 'gone@example.com', username: 'gone' }));
      });
    });

    describe('user listing', () => {
      const seed = async (store: Store) => {
        const users = [
          aUser({
            email: 'ann@example.com',
            username: 'ann',
            name: 'Ann Lee',
            role: 'admin',
            createdAt: T0 + 1,
          }),
          aUser({
            email: 'bob@example.com',
            username: 'bobby',
            name: 'Bob',
            role: 'viewer',
            createdAt: T0 + 2,
          }),
          aUser({
            email: 'anna@example.org',
            username: 'zed',
            name: 'Zed',
            role: 'viewer',
            status: 'disabled',
            createdAt: T0 + 3,
          }),
          aUser({
            email: 'carl@example.com',
            username: 'annex',
            name: 'Carl',
            role: 'editor',
            createdAt: T0 + 4,
          }),
          aUser({
            email: 'dora@example.com',
            username: null,
            name: 'Anneliese',
            role: 'viewer',
            status: 'pending',
            createdAt: T0 + 5,
          }),
        ];
        for (const user of users) await store.createUser(user);
        return users;
      };
      const all = async (
        store: Store,
        query: Omit<UserListQuery, 'limit' | 'after'>,
        limit: number,
      ) => {
        const seen: string[] = [];
        let after: UserListQuery['after'];
        for (let pages = 0; pages < 20; pages++) {
          const page = await store.listUsers({ ...query, limit, ...(after ? { after } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((u) => u.email));
          if (!page.next) return seen;
          after = page.next;
        }
        throw new Error('listing did not end');
      };

      it('pages through everyone in creation order', async () => {
        const store = await fresh();
        const users = await seed(store);
        expect(await all(store, {}, 2)).toEqual(users.map((u) => u.email));
        const first = await store.listUsers({ limit: 5 });
        expect(first.next).toBeNull();
      });

      it('filters by role, status, and both', async () => {
        const store = await fresh();
        await seed(store);
        expect(await all(store, { role: 'viewer' }, 1)).toEqual([
          'bob@example.com',
          'anna@example.org',
          'dora@example.com',
        ]);
        expect(await all(store, { status: 'disabled' }, 2)).toEqual(['anna@example.org']);
        expect(await all(store, { role: 'viewer', status: 'active' }, 2)).toEqual([
          'bob@example.com',
        ]);
      });

      it('finds by a prefix of email, username or name, each user once', async () => {
        const store = await fresh();
        await seed(store);
        // Ann matches on email, username and name; limit 1 spreads her entries over pages.
        const found = await all(store, { prefix: 'ann' }, 1);
        expect(found).toHaveLength(new Set(found).size);
        expect(new Set(found)).toEqual(
          new Set(['ann@example.com', 'anna@example.org', 'carl@example.com', 'dora@example.com']),
        );
        expect((await all(store, { prefix: 'ann', role: 'viewer' }, 10)).sort()).toEqual([
          'anna@example.org',
          'dora@example.com',
        ]);
        expect(await all(store, { prefix: 'nobody' }, 10)).toEqual([]);
      });

      it('keeps the search current after changes and deletes', async () => {
        const store = await fresh();
        const [ann] = await seed(store);
        const renamed = {
          ...(ann as UserRecord),
          name: 'Xavier',
          username: 'xav',
          usernameKey: 'xav',
          email: 'x@example.com',
          emailKey: 'x@example.com',
          updatedAt: T0 + 10,
        };
        await store.updateUser(ann as UserRecord, renamed);
        expect(await all(store, { prefix: 'ann@' }, 10)).toEqual([]);
        expect(await all(store, { prefix: 'xav' }, 10)).toEqual(['x@example.com']);
        await store.deleteUser(renamed);
        expect(await all(store, { prefix: 'x' }, 10)).toEqual([]);
      });
    });

    describe('audit events', () => {
      const event = (n: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
        id: `e${n}`,
        at: new Date(T0 + n * 1000).toISOString(),
        actor_id: 'a1',
        actor_token_id: null,
        action: 'user.update',
        target_id: 't1',
        ip: '127.0.0.1',
        user_agent: 'test',
        outcome: 'success',
        detail: { fields: 'name' },
        ...overrides,
      });

      it('lists newest first, filtered by actor, target, action and time, page by page', async () => {
        const store = await fresh();
        const events = [
          event(1),
          event(2, { actor_id: null, action: 'auth.sign_in', outcome: 'failure' }),
          event(3, { target_id: 't2' }),
          event(4, { action: 'user.delete' }),
          event(5),
        ];
        for (const e of events) await store.writeAuditEvent(e, T0 + 86_400_000);
        const ids = async (query: Omit<AuditQuery, 'limit' | 'after'>, limit = 2) => {
          const out: string[] = [];
          let after: AuditQuery['after'];
          for (let i = 0; i < 10; i++) {
            const page = await store.listAuditEvents({
              ...query,
              limit,
              ...(after ? { after } : {}),
            });
            out.push(...page.items.map((e) => e.id));
            if (!page.next) return out;
            after = page.next;
          }
          return out;
        };
        expect(await ids({})).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
        expect(await ids({ actorId: 'a1' })).toEqual(['e5', 'e4', 'e3', 'e1']);
        expect(await ids({ targetId: 't2' })).toEqual(['e3']);
        expect(await ids({ action: 'user.update', targetId: 't1' })).toEqual(['e5', 'e1']);
        expect(await ids({ since: event(2).at, until: event(4).at })).toEqual(['e4', 'e3', 'e2']);
        expect(await ids({ outcome: 'failure' })).toEqual(['e2']);
        expect(await ids({ outcome: 'success', targetId: 't1' })).toEqual(['e5', 'e4', 'e1']);
        expect(await ids({ action: 'auth.sign_in', outcome: 'success' })).toEqual([]);
        const [first] = (
          await store.listAuditEvents({ limit: 1, targetId: 't1', action: 'auth.sign_in' })
        ).items;
        expect(first).toEqual(events[1]);
      });
    });

    describe('API tokens', () => {
      const aToken = (
        userId: string,
        n: number,
        overrides: Partial<ApiTokenRecord> = {},
      ): ApiTokenRecord => ({
        tokenId: `tok_${userId}_${n}`,
        hash: `hash-${userId}-${n}`,
        name: `token ${n}`,
        scopes: n % 2 ? ['profile'] : null,
        userId,
        createdBy: userId,
        createdAt: T0 + n * 1000,
        expiresAt: n % 2 ? T0 + HOUR : null,
        lifetimeSeconds: n % 2 ? 3600 : null,
        renewable: n % 2 === 1,
        lastUsedAt: null,
        revokedAt: null,
        ...overrides,
      });
      const ids = async (
        store: Store,
        query: { userId: string | null; includeRevoked: boolean },
        limit = 2,
      ) => {
        const out: string[] = [];
        let after: Position | undefined;
        for (let i = 0; i < 10; i++) {
          const page = await store.listApiTokens({ ...query, limit, ...(after ? { after } : {}) });
          out.push(...page.items.map((t) => t.tokenId));
          if (!page.next) return out;
          after = page.next;
        }
        return out;
      };

      it('stores, revokes once, renews and lists tokens newest first', async () => {
        const store = await fresh();
        const tokens = [aToken('u1', 1), aToken('u1', 2), aToken('u2', 3), aToken('u1', 4)];
        for (const token of tokens) await store.createApiToken(token);
        expect(await store.getApiToken('tok_u1_1')).toEqual(tokens[0]);
        expect(await store.getApiToken('tok_nope')).toBeNull();
        await store.revokeApiToken('tok_u1_2', T0 + 5000);
        await store.revokeApiToken('tok_u1_2', T0 + 9000);
        expect((await store.getApiToken('tok_u1_2'))?.revokedAt).toBe(T0 + 5000);
        expect((await store.renewApiToken('tok_u1_1', T0 + 2 * HOUR))?.expiresAt).toBe(
          T0 + 2 * HOUR,
        );
        expect(await store.renewApiToken('tok_u1_2', T0 + 2 * HOUR)).toBeNull();
        expect(await ids(store, { userId: 'u1', includeRevoked: false }, 1)).toEqual([
          'tok_u1_4',
          'tok_u1_1',
        ]);
        expect(await ids(store, { userId: 'u1', includeRevoked: true })).toEqual([
          'tok_u1_4',
          'tok_u1_2',
          'tok_u1_1',
        ]);
        expect(await ids(store, { userId: null, includeRevoked: false })).toEqual([
          'tok_u1_4',
          'tok_u2_3',
          'tok_u1_1',
        ]);
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

      it("stores a client's session without a refresh token, revoked like any other", async () => {
        const store = await fresh();
        const session = { ...aSession('svc'), clientId: 'gh_client' };
        await store.createSession(session, null);
        expect(await store.getSession(session.sid)).toEqual(session);
        expect(await store.revokeUserSessions('svc', T0 + 1000)).toBe(1);
        expect((await store.getSession(session.sid))?.revokedAt).toBe(T0 + 1000);
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

      it("revokes every session issued to one client, and no other client's or sign-in's", async () => {
        const store = await fresh();
        const mine = [
          aSession('u1', { clientId: 'gh_mine' }),
          aSession('u2', { clientId: 'gh_mine' }),
          aSession('svc', { clientId: 'gh_mine' }),
        ];
        const other = aSession('u1', { clientId: 'gh_other' });
        const signIn = aSession('u1');
        const refreshOf = new Map<string, RefreshTokenRecord>();
        for (const s of [...mine.slice(0, 2), other, signIn]) {
          refreshOf.set(s.sid, aRefresh(s));
          await store.createSession(s, refreshOf.get(s.sid) as RefreshTokenRecord);
        }
        await store.createSession(mine[2] as SessionRecord, null); // client_credentials
        await store.revokeSession(mine[0]?.sid as string, T0);
        expect(await store.revokeClientSessions('gh_mine', T0 + 1000)).toBe(2);
        expect((await store.getSession(mine[0]?.sid as string))?.revokedAt).toBe(T0);
        for (const s of mine.slice(1)) {
          expect((await store.getSession(s.sid))?.revokedAt).toBe(T0 + 1000);
        }
        expect((await store.getSession(other.sid))?.revokedAt).toBeNull();
        expect((await store.getSession(signIn.sid))?.revokedAt).toBeNull();
        expect(await store.revokeClientSessions('gh_mine', T0 + 2000)).toBe(0);
        expect(await store.revokeClientSessions('gh_nobody', T0)).toBe(0);
        const revoked = mine[1] as SessionRecord;
        const old = refreshOf.get(revoked.sid) as RefreshTokenRecord;
        expect(await store.rotateRefreshToken(old.hash, aRefresh(revoked), T0 + 3000)).toBe(
          'session_revoked',
        );
      });
    });

    describe('account flows', () => {
      it('spends a one-time token exactly once, also against a concurrent spend', async () => {
        const store = await fresh();
        const token = {
          hash: sha256('evt_x'),
          purpose: 'verify_email' as const,
          userId: 'u1',
          email: 'a@b.co',
          createdAt: T0,
          expiresAt: T0 + HOUR,
          usedAt: null,
        };
        await store.createOneTimeToken(token);
        const spent = await Promise.all([
          store.consumeOneTimeToken(token.hash, T0 + 1),
          store.consumeOneTimeToken(token.hash, T0 + 1),
        ]);
        expect(spent.filter(Boolean)).toEqual([{ ...token, usedAt: T0 + 1 }]);
        expect(await store.consumeOneTimeToken(token.hash, T0 + 2)).toBeNull();
        expect(await store.consumeOneTimeToken(sha256('unknown'), T0)).toBeNull();
      });

      it('counts hits per key, concurrent ones included', async () => {
        const store = await fresh();
        const later = Date.now() + HOUR;
        const counts = await Promise.all([1, 2, 3, 4, 5].map(() => store.countHit('ip:1', later)));
        expect(counts.sort()).toEqual([1, 2, 3, 4, 5]);
        expect(await store.countHit('ip:2', later)).toBe(1);
      });

      it("ends a user's sessions but the one kept", async () => {
        const store = await fresh();
        const [kept, other] = [aSession('me'), aSession('me')];
        for (const s of [kept, other]) await store.createSession(s, aRefresh(s));
        expect(await store.revokeUserSessions('me', T0 + 1, { keepSid: kept.sid })).toBe(1);
        expect((await store.getSession(kept.sid))?.revokedAt).toBeNull();
        expect((await store.getSession(other.sid))?.revokedAt).toBe(T0 + 1);
      });

      it("ends only a user's sessions from below a credential version when told one", async () => {
        const store = await fresh();
        const sessions = [aSession('me'), aSession('me'), aSession('me'), aSession('me')];
        for (const s of sessions) await store.createSession(s, aRefresh(s));
        // Versions 0, 2, 3, 4 (keepSessionAtVersion moves a live session's version).
        for (const [i, s] of sessions.entries()) {
          if (i > 0) await store.keepSessionAtVersion(s.sid, i + 1);
        }
        expect(await store.revokeUserSessions('me', T0 + 1, { belowVersion: 3 })).toBe(2);
        const revokedAt = async (i: number) =>
          (await store.getSession(sessions[i]?.sid as string))?.revokedAt;
        expect([await revokedAt(0), await revokedAt(1)]).toEqual([T0 + 1, T0 + 1]);
        expect([await revokedAt(2), await revokedAt(3)]).toEqual([null, null]);
      });
    });

    describe('one-time markers', () => {
      it('says yes once per key, also to concurrent callers, until the marker expires', async () => {
        const store = await fresh();
        const later = Date.now() + HOUR;
        const outcomes = await Promise.all([
          store.markOnce('sso-a', later, Date.now()),
          store.markOnce('sso-a', later, Date.now()),
          store.markOnce('sso-a', later, Date.now()),
        ]);
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        expect(await store.markOnce('sso-b', later, Date.now())).toBe(true);
        expect(await store.markOnce('sso-old', Date.now() - 1000, Date.now())).toBe(true);
        expect(await store.markOnce('sso-old', later, Date.now())).toBe(true);
      });
    });

    loginFailuresContract(fresh);

    describe('OAuth consents and client sessions', () => {
      it('remembers the union of every Allow per user and client, lists and forgets it', async () => {
        const store = await fresh();
        expect(await store.getConsent('u1', 'c1')).toBeNull();
        await store.grantConsent({
          userId: 'u1',
          clientId: 'c1',
          scopes: ['profile'],
          grantedAt: T0,
        });
        const widened = await store.grantConsent({
          userId: 'u1',
          clientId: 'c1',
          scopes: ['users:read', 'profile'],
          grantedAt: T0 + 1,
        });
        expect(widened).toEqual({
          userId: 'u1',
          clientId: 'c1',
          scopes: ['profile', 'users:read'],
          grantedAt: T0 + 1,
        });
        expect(await store.getConsent('u1', 'c1')).toEqual(widened);
        await store.grantConsent({
          userId: 'u1',
          clientId: 'c2',
          scopes: ['email'],
          grantedAt: T0 + 5,
        });
        await store.grantConsent({
          userId: 'u2',
          clientId: 'c1',
          scopes: ['email'],
          grantedAt: T0,
        });
        expect((await store.listConsents('u1')).map((c) => c.clientId)).toEqual(['c1', 'c2']);
        expect(await store.getConsent('u2', 'c2')).toBeNull();
        expect(await store.deleteConsent('u1', 'c1')).toBe(true);
        expect(await store.deleteConsent('u1', 'c1')).toBe(false);
        expect(await store.getConsent('u1', 'c1')).toBeNull();
        expect((await store.listConsents('u1')).map((c) => c.clientId)).toEqual(['c2']);
        expect(await store.listConsents('nobody')).toEqual([]);
      });

      it('loses no scope of two Allows at once', async () => {
        const store = await fresh();
        await Promise.all(
          ['a', 'b', 'c', 'd'].map((scope) =>
            store.grantConsent({ userId: 'u', clientId: 'c', scopes: [scope], grantedAt: T0 }),
          ),
        );
        expect((await store.getConsent('u', 'c'))?.scopes).toEqual(['a', 'b', 'c', 'd']);
      });

      it("ends only the user's live sessions of that client", async () => {
        const store = await fresh();
        const ofClient = [aSession('me', { clientId: 'app' }), aSession('me', { clientId: 'app' })];
        const other = aSession('me', { clientId: 'other' });
        const clientless = aSession('me');
        const theirs = aSession('them', { clientId: 'app' });
        for (const s of [...ofClient, other, clientless, theirs]) {
          await store.createSession(s, aRefresh(s));
        }
        expect(await store.revokeUserClientSessions('me', 'app', T0 + 1)).toBe(2);
        for (const s of ofClient) expect((await store.getSession(s.sid))?.revokedAt).toBe(T0 + 1);
        for (const s of [other, clientless, theirs]) {
          expect((await store.getSession(s.sid))?.revokedAt).toBeNull();
        }
        expect(await store.revokeUserClientSessions('me', 'app', T0 + 2)).toBe(0);
      });

      it('keeps the scope granted to a session', async () => {
        const store = await fresh();
        const session = aSession('u', { clientId: 'app', scope: ['openid', 'profile'] });
        await store.createSession(session, aRefresh(session));
        expect((await store.getSession(session.sid))?.scope).toEqual(['openid', 'profile']);
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

      it('keeps every key of racing same-generation publishes (a cold start and a rotation)', async () => {
        const store = await fresh();
        await store.publishKeys(1, [jwk('a')]);
        await Promise.all([
          store.publishKeys(2, [jwk('cold'), jwk('a')]),
          store.publishKeys(2, [jwk('rotated'), jwk('a')]),
          store.publishKeys(2, [jwk('third'), jwk('a')]),
        ]);
        const published = await store.getPublishedKeys();
        expect(published?.generation).toBe(2);
        expect(published?.keys.map((k) => k.kid).sort()).toEqual(['a', 'cold', 'rotated', 'third']);
        // A newer generation (a withdrawal) replaces the merged set.
        await store.publishKeys(3, [jwk('fresh')]);
        expect(await store.getPublishedKeys()).toEqual({ generation: 3, keys: [jwk('fresh')] });
      });
    });
  });
};
