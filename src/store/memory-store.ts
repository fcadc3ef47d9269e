import { GatehouseError } from '../core/errors';
import type { PublicJwk } from '../core/signing-keys';
import type {
  LoginFailures,
  RefreshTokenRecord,
  RotationOutcome,
  SessionRecord,
  Store,
} from '../core/store';
import type { UserRecord } from '../core/users';

const copy = <T>(value: T): T => structuredClone(value);

const taken = (field: string) => new GatehouseError('conflict', `That ${field} is already taken.`);

/** The storage port in memory, for unit tests of the core. Passes the same contract suite. */
export const createMemoryStore = (): Store => {
  const users = new Map<string, UserRecord>();
  const emails = new Map<string, string>();
  const usernames = new Map<string, string>();
  const sessions = new Map<string, SessionRecord>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();
  const failures = new Map<string, LoginFailures & { expiresAt: number }>();
  let published: { generation: number; keys: PublicJwk[] } | null = null;

  const isActiveOwner = (u: UserRecord) => u.role === 'owner' && u.status === 'active';
  const insertUser = (user: UserRecord) => {
    if (emails.has(user.emailKey)) throw taken('email');
    if (user.usernameKey && usernames.has(user.usernameKey)) throw taken('username');
    users.set(user.id, copy(user));
    emails.set(user.emailKey, user.id);
    if (user.usernameKey) usernames.set(user.usernameKey, user.id);
  };
  const byId = (id: string | undefined) => (id ? copy(users.get(id) ?? null) : null);
  const update = (id: string, change: Partial<UserRecord>) => {
    const user = users.get(id);
    if (!user) throw new GatehouseError('not_found', 'No such user.');
    users.set(id, { ...user, ...change });
  };
  const revoke = (sid: string, at: number) => {
    const session = sessions.get(sid);
    if (session && session.revokedAt === null) sessions.set(sid, { ...session, revokedAt: at });
  };

  return {
    async createUser(user) {
      insertUser(user);
    },
    async createFirstOwner(user) {
      if ([...users.values()].some(isActiveOwner)) {
        throw new GatehouseError('conflict', 'An owner already exists.');
      }
      insertUser(user);
    },
    async hasActiveOwner() {
      return [...users.values()].some(isActiveOwner);
    },
    async getUser(id) {
      return byId(id);
    },
    async findUserByEmail(key) {
      return byId(emails.get(key));
    },
    async findUserByUsername(key) {
      return byId(usernames.get(key));
    },
    async recordSignIn(userId, at) {
      update(userId, { lastSignInAt: at });
    },
    async updatePasswordHash(userId, passwordHash, at) {
      update(userId, { passwordHash, updatedAt: at });
    },

    async createSession(session, refresh) {
      sessions.set(session.sid, copy(session));
      refreshTokens.set(refresh.hash, copy(refresh));
    },
    async getSession(sid) {
      return copy(sessions.get(sid) ?? null);
    },
    async getRefreshToken(hash) {
      return copy(refreshTokens.get(hash) ?? null);
    },
    async rotateRefreshToken(oldHash, next, at): Promise<RotationOutcome> {
      const old = refreshTokens.get(oldHash);
      const session = sessions.get(next.sid);
      if (!session || session.revokedAt !== null) return 'session_revoked';
      if (!old || old.usedAt !== null) return 'already_used';
      refreshTokens.set(oldHash, { ...old, usedAt: at });
      refreshTokens.set(next.hash, copy(next));
      return 'rotated';
    },
    async revokeSession(sid, at) {
      revoke(sid, at);
    },
    async revokeUserSessions(userId, at) {
      const mine = [...sessions.values()].filter(
        (s) => s.userId === userId && s.revokedAt === null,
      );
      for (const session of mine) revoke(session.sid, at);
      return mine.length;
    },

    async getLoginFailures(key) {
      const record = failures.get(key);
      return record ? { failures: record.failures, lastFailureAt: record.lastFailureAt } : null;
    },
    async recordLoginFailure(key, { at, startOver, expiresAt }) {
      const count = startOver ? 1 : (failures.get(key)?.failures ?? 0) + 1;
      failures.set(key, { failures: count, lastFailureAt: at, expiresAt });
      return { failures: count, lastFailureAt: at };
    },
    async clearLoginFailures(key) {
      failures.delete(key);
    },

    async getPublishedKeys() {
      return copy(published);
    },
    async publishKeys(generation, keys) {
      if (published && published.generation > generation) return;
      published = { generation, keys: copy(keys) };
    },
  };
};
