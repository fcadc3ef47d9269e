import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/audit/audit';
import type { ClientRecord } from '../../src/core/oauth/clients';
import { newId, sha256 } from '../../src/core/shared/ids';
import type { RefreshTokenRecord, SessionRecord, Store } from '../../src/core/shared/store';
import { aUser } from './users';

const T0 = Date.UTC(2026, 0, 1);
const conflict = expect.objectContaining({ code: 'conflict' });

const session = (userId: string, credentialVersion: number, clientId: string | null = null) =>
  ({
    sid: newId(),
    userId,
    clientId,
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    revokedAt: null,
    credentialVersion,
  }) satisfies SessionRecord;

const refreshOf = (s: SessionRecord): RefreshTokenRecord => ({
  hash: sha256(newId()),
  sid: s.sid,
  userId: s.userId,
  createdAt: T0,
  expiresAt: s.expiresAt,
  usedAt: null,
});

const aClient = (): ClientRecord => ({
  clientId: `gh_${newId()}`,
  secretHash: null,
  name: 'App',
  redirectUris: ['https://app.example.com/cb'],
  grantTypes: ['authorization_code', 'refresh_token'],
  confidential: false,
  firstParty: false,
  serviceUserId: null,
  createdBy: null,
  createdAt: T0,
});

/** Credential version (src/core/sessions/credential-version.ts): conditional session creation and rehash. */
export const credentialVersionContract = (fresh: () => Promise<Store>) => {
  describe('credential version', () => {
    it('opens a session only at the user’s current credential version (absent = 0)', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const atZero = session(user.id, 0);
      await store.createSession(atZero, refreshOf(atZero));
      expect(await store.getSession(atZero.sid)).toMatchObject({ credentialVersion: 0 });
      await store.updateUser(user, {
        ...user,
        credentialVersion: 1,
        updatedAt: user.updatedAt + 1,
      });
      const stale = session(user.id, 0);
      const refresh = refreshOf(stale);
      await expect(store.createSession(stale, refresh)).rejects.toEqual(conflict);
      expect(await store.getSession(stale.sid)).toBeNull();
      expect(await store.getRefreshToken(refresh.hash)).toBeNull();
      const current = session(user.id, 1);
      await store.createSession(current, refreshOf(current));
      expect(await store.getSession(current.sid)).toMatchObject({ credentialVersion: 1 });
    });

    it('writes the sign-in’s audit event with its session, and none with a refused one', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const event = (id: string): AuditEvent => ({
        id,
        at: new Date(T0).toISOString(),
        actor_id: user.id,
        actor_token_id: null,
        action: 'auth.sign_in',
        target_id: user.id,
        ip: null,
        user_agent: null,
        outcome: 'success',
        detail: { method: 'password' },
      });
      const opened = session(user.id, 0);
      const later = T0 + 86_400_000;
      await store.createSession(opened, refreshOf(opened), {
        audit: { event: event('ev_kept'), expiresAt: later },
      });
      const refused = session(user.id, 7);
      await expect(
        store.createSession(refused, refreshOf(refused), {
          audit: { event: event('ev_refused'), expiresAt: later },
        }),
      ).rejects.toEqual(conflict);
      const { items } = await store.listAuditEvents({ limit: 10, targetId: user.id });
      expect(items).toEqual([event('ev_kept')]);
    });

    it('refuses a versioned session for a user that does not exist', async () => {
      const store = await fresh();
      const orphan = session(newId(), 0);
      await expect(store.createSession(orphan, refreshOf(orphan))).rejects.toEqual(conflict);
      expect(await store.getSession(orphan.sid)).toBeNull();
    });

    it('refuses a client’s session once the client is deleted, writing nothing', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const client = aClient();
      await store.createClient(client);
      const live = session(user.id, 0, client.clientId);
      await store.createSession(live, refreshOf(live));
      await store.deleteClient(client.clientId);
      const late = session(user.id, 0, client.clientId);
      await expect(store.createSession(late, null)).rejects.toEqual(conflict);
      expect(await store.getSession(late.sid)).toBeNull();
      // Only the session written while the client existed is left for the sweep.
      expect(await store.revokeClientSessions(client.clientId, T0 + 1)).toBe(1);
    });

    it('moves only a live session to a new version (a password change keeps the caller’s)', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const [kept, revoked] = [session(user.id, 0), session(user.id, 0)];
      for (const s of [kept, revoked]) await store.createSession(s, refreshOf(s));
      await store.revokeSession(revoked.sid, T0 + 1);
      await store.keepSessionAtVersion(kept.sid, 3);
      await store.keepSessionAtVersion(revoked.sid, 3);
      expect((await store.getSession(kept.sid))?.credentialVersion).toBe(3);
      expect((await store.getSession(revoked.sid))?.credentialVersion).toBe(0);
    });

    it('rehashes only over the hash that was verified, never over a new password', async () => {
      const store = await fresh();
      const user = aUser({ passwordHash: 'old-cost' });
      await store.createUser(user);
      // A reset wrote a new password meanwhile: the in-flight rehash of the old one is dropped.
      const reset = { ...user, passwordHash: 'new', updatedAt: user.updatedAt + 1 };
      await store.updateUser(user, reset);
      expect(await store.updatePasswordHash(user, 'old-rehashed', T0 + 5, 'old-cost')).toBe(false);
      expect((await store.getUser(user.id))?.passwordHash).toBe('new');
      expect(await store.updatePasswordHash(reset, 'new-rehashed', T0 + 6, 'new')).toBe(true);
      expect((await store.getUser(user.id))?.passwordHash).toBe('new-rehashed');
    });

    it('refreshes login hints only while the hash read is the user’s, without writing the user', async () => {
      const store = await fresh();
      const user = aUser({ passwordHash: 'old' });
      await store.createUser(user);
      expect(await store.refreshLoginHints(user)).toBe(true);
      const hint = async () =>
        (await store.findLogin({ kind: 'email', key: user.emailKey }))?.passwordHashHint;
      expect(await hint()).toBe('old');
      expect((await store.getUser(user.id))?.updatedAt).toBe(user.updatedAt);
      const reset = { ...user, passwordHash: 'new', updatedAt: user.updatedAt + 1 };
      await store.updateUser(user, reset);
      // The user as read before the reset: its hash is no longer the user's, nothing is written.
      expect(await store.refreshLoginHints(user)).toBe(false);
      expect(await hint()).toBe('new');
      await store.deleteUser(reset);
      expect(await store.refreshLoginHints(reset)).toBe(false);
    });

    it('lets a concurrent version move and session creation end in one order only', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const sessions = Array.from({ length: 4 }, () => session(user.id, 0));
      const outcomes = await Promise.allSettled([
        store.updateUser(user, { ...user, credentialVersion: 1, updatedAt: user.updatedAt + 1 }),
        ...sessions.map((s) => store.createSession(s, refreshOf(s))),
      ]);
      expect(outcomes[0]?.status).toBe('fulfilled');
      // Whatever got written was written before the move: none at version 0 appears after it.
      const late = session(user.id, 0);
      await expect(store.createSession(late, null)).rejects.toEqual(conflict);
    });

    it('renews a live session at its version after a step-up, and never an ended one', async () => {
      const store = await fresh();
      const user = aUser();
      await store.createUser(user);
      const live = session(user.id, 0);
      await store.createSession(live, refreshOf(live));
      const ended = session(user.id, 0);
      await store.createSession(ended, refreshOf(ended));
      await store.revokeSession(ended.sid, T0 + 1);
      const policy = { threshold: 5, baseSeconds: 30, maxSeconds: 900 };
      await store.recordLoginFailure('k', {
        at: T0,
        expiresAt: T0 + 3_600_000,
        policy,
        unlessLocked: false,
      });
      const renew = (s: SessionRecord, credentialVersion = 0) => {
        const refresh = { ...refreshOf(s), createdAt: T0 + 5 };
        const request = { credentialVersion, authTime: T0 + 5, amr: ['pwd', 'otp', 'mfa'] };
        return {
          refresh,
          done: store.renewSession({ ...request, refresh, clearLoginFailures: 'k' }),
        };
      };
      expect(await renew(ended).done).toBe(false);
      expect(await renew(live, 1).done).toBe(false);
      expect(await store.getLoginFailures('k')).toMatchObject({ failures: 1 });
      const { refresh, done } = renew(live);
      expect(await done).toBe(true);
      expect(await store.getSession(live.sid)).toMatchObject({
        authTime: T0 + 5,
        amr: ['pwd', 'otp', 'mfa'],
        revokedAt: null,
      });
      expect(await store.getRefreshToken(refresh.hash)).toMatchObject({ sid: live.sid });
      expect(await store.getLoginFailures('k')).toBeNull();
      expect(await store.getSession(ended.sid)).not.toHaveProperty('amr');
    });
  });
};
