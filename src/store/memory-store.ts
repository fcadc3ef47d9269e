import type { OneTimeTokenRecord } from '../core/account/one-time-tokens';
import type { AuditEvent } from '../core/audit/audit';
import type { AuthorizationCodeRecord } from '../core/oauth/authorization-codes';
import type { ClientRecord } from '../core/oauth/clients';
import type { ConsentRecord } from '../core/oauth/consent';
import { credentialVersionOf } from '../core/sessions/credential-version';
import { lockEnd, nextFailures, secondsLocked } from '../core/sessions/lockout';
import { sessionAmr } from '../core/sessions/session-facts';
import { GatehouseError } from '../core/shared/errors';
import type {
  LockHolder,
  LoginFailures,
  LoginLock,
  Page,
  Position,
  RefreshTokenRecord,
  Revocation,
  RotationOutcome,
  SessionRecord,
  Store,
} from '../core/shared/store';
import type { ApiTokenRecord } from '../core/tokens/api-tokens';
import { mergeJwks, type PublicJwk } from '../core/tokens/signing-keys';
import { isActiveOwner, type UserRecord } from '../core/users/users';
import { createMemoryActivity } from './memory-activity';
import { createMemoryMfa } from './memory-mfa';
import { creationSortKey, keys } from './schema';
import { firstMatch, searchValues } from './user-search';

const copy = <T>(value: T): T => structuredClone(value);

const taken = (field: string) => new GatehouseError('conflict', `That ${field} is already taken.`);

const refreshTaken = () =>
  new GatehouseError('conflict', 'That refresh token already names another session.');

/** The storage port in memory, for unit tests of the core. Passes the same contract suite. */
export const createMemoryStore = (): Store => {
  const users = new Map<string, UserRecord>();
  const emails = new Map<string, string>();
  const usernames = new Map<string, string>();
  /** Account linking: `provider\u0000subject` to the user holding that federated identity. */
  const identityOwners = new Map<string, string>();
  const identityKeys = (u: UserRecord) =>
    (u.identities ?? []).map((i) => `${i.provider}\u0000${i.subject}`);
  const assertIdentitiesFree = (u: UserRecord) => {
    const held = identityKeys(u).some((key) => (identityOwners.get(key) ?? u.id) !== u.id);
    if (held) throw taken('identity');
  };
  const moveIdentities = (before: UserRecord | null, after: UserRecord | null) => {
    for (const key of before ? identityKeys(before) : []) identityOwners.delete(key);
    for (const key of after ? identityKeys(after) : []) identityOwners.set(key, after?.id ?? '');
  };
  const sessions = new Map<string, SessionRecord>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();
  const failures = new Map<string, LoginFailures & { expiresAt: number; holder?: LockHolder }>();
  let published: { generation: number; keys: PublicJwk[] } | null = null;
  const audit: AuditEvent[] = [];
  const apiTokens = new Map<string, ApiTokenRecord>();
  const clients = new Map<string, ClientRecord>();
  const codes = new Map<string, AuthorizationCodeRecord>();
  const once = new Map<string, number>();
  const oneTimeTokens = new Map<string, OneTimeTokenRecord>();
  const counters = new Map<string, { count: number; expiresAt: number }>();
  const consents = new Map<string, ConsentRecord>();
  const consentKey = (userId: string, clientId: string) => `${userId}\u0000${clientId}`;

  /** A record spent once: `usedAt` set the first time, null every time after. */
  const spendOnce = <T extends { usedAt: number | null }>(
    records: Map<string, T>,
    hash: string,
    at: number,
  ): T | null => {
    const record = records.get(hash);
    if (!record || record.usedAt !== null) return null;
    const used = { ...record, usedAt: at };
    records.set(hash, used);
    return copy(used);
  };

  const insertUser = (user: UserRecord) => {
    if (emails.has(user.emailKey)) throw taken('email');
    if (user.usernameKey && usernames.has(user.usernameKey)) throw taken('username');
    assertIdentitiesFree(user);
    moveIdentities(null, user);
    users.set(user.id, copy(user));
    emails.set(user.emailKey, user.id);
    if (user.usernameKey) usernames.set(user.usernameKey, user.id);
  };
  const byId = (id: string | undefined) => (id ? copy(users.get(id) ?? null) : null);
  const activeOwners = () => [...users.values()].filter(isActiveOwner).length;
  const lastOwnerLost = (before: UserRecord, after: UserRecord | null) =>
    isActiveOwner(before) && !(after && isActiveOwner(after)) && activeOwners() <= 1;
  const assertUnchanged = (before: UserRecord) => {
    if (users.get(before.id)?.updatedAt !== before.updatedAt) {
      throw new GatehouseError('conflict', 'The user changed meanwhile; read it again.');
    }
  };
  const lastOwner = () => new GatehouseError('conflict', 'That would leave no active owner.');
  /** One page of `items` in `keyOf` order (or its reverse), after the position `after`. */
  const pageOf = <T>(
    all: T[],
    keyOf: (item: T) => string,
    limit: number,
    after?: Position,
    newestFirst = false,
  ) => {
    const before = (a: string, b: string) => (newestFirst ? a > b : a < b);
    const sorted = [...all].sort((a, b) => (before(keyOf(a), keyOf(b)) ? -1 : 1));
    const start = after?.k ? sorted.findIndex((item) => before(after.k as string, keyOf(item))) : 0;
    const rest = start < 0 ? [] : sorted.slice(start);
    const items = rest.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      next: rest.length > limit && last !== undefined ? { k: keyOf(last) } : null,
    };
  };
  const listKey = (u: UserRecord) => creationSortKey(u.createdAt, u.id);
  const update = (id: string, change: Partial<UserRecord>) => {
    const user = users.get(id);
    if (!user) throw new GatehouseError('not_found', 'No such user.');
    users.set(id, { ...user, ...change });
  };
  /** The revocation feed: an entry exactly when a session ends (as DynamoDB's transaction). */
  const revocations: Revocation[] = [];
  const revoke = (sid: string, at: number) => {
    const session = sessions.get(sid);
    if (!session || session.revokedAt !== null) return;
    sessions.set(sid, { ...session, revokedAt: at });
    revocations.push({ sid, at });
  };

  return {
    ...createMemoryMfa((key) => failures.get(key)),
    ...createMemoryActivity(),
    async createUser(user) {
      insertUser(user);
    },
    async createFirstOwner(user) {
      if ([...users.values()].some(isActiveOwner)) {
        throw new GatehouseError('conflict', 'An owner already exists.');
      }
      insertUser(user);
    },
    async countActiveOwners() {
      return activeOwners();
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
    async findLogin(login) {
      const userId = (login.kind === 'email' ? emails : usernames).get(login.key);
      // In memory every write is atomic: the hint is always the user's current hash.
      return userId ? { userId, passwordHashHint: users.get(userId)?.passwordHash ?? null } : null;
    },
    async updateUser(before, after) {
      assertUnchanged(before);
      if (lastOwnerLost(before, after)) throw lastOwner();
      const emailOwner = emails.get(after.emailKey);
      if (emailOwner && emailOwner !== after.id) throw taken('email');
      const usernameOwner = after.usernameKey ? usernames.get(after.usernameKey) : undefined;
      if (usernameOwner && usernameOwner !== after.id) throw taken('username');
      assertIdentitiesFree(after);
      moveIdentities(before, after);
      emails.delete(before.emailKey);
      if (before.usernameKey) usernames.delete(before.usernameKey);
      emails.set(after.emailKey, after.id);
      if (after.usernameKey) usernames.set(after.usernameKey, after.id);
      users.set(after.id, copy(after));
    },
    async deleteUser(user) {
      assertUnchanged(user);
      if (lastOwnerLost(user, null)) throw lastOwner();
      users.delete(user.id);
      moveIdentities(user, null);
      emails.delete(user.emailKey);
      if (user.usernameKey) usernames.delete(user.usernameKey);
    },
    async listUsers({ limit, after, prefix, role, status }): Promise<Page<UserRecord>> {
      const all = [...users.values()].filter(
        (u) => (!role || u.role === role) && (!status || u.status === status),
      );
      if (!prefix) {
        return copy(pageOf(all, listKey, limit, after));
      }
      // As the DynamoDB store does: one entry per matching field, in value order, and each
      // user listed once, at its first matching entry.
      const entries = all.flatMap((u) =>
        searchValues(u).flatMap((value, field) =>
          value?.startsWith(prefix) ? [{ u, key: keys.search(value, String(field), u.id).sk }] : [],
        ),
      );
      const page = pageOf(entries, (entry) => entry.key, limit, after);
      const items = page.items.filter((e) => firstMatch(e.u, prefix) === e.key).map((e) => e.u);
      return copy({ items, next: page.next });
    },
    async findUserByIdentity(provider, subject) {
      return byId(identityOwners.get(`${provider}\u0000${subject}`));
    },
    async revokeUserApiTokens(userId, at) {
      const live = [...apiTokens.values()].filter((t) => t.userId === userId && !t.revokedAt);
      for (const token of live) apiTokens.set(token.tokenId, { ...token, revokedAt: at });
      return live.length;
    },
    async refreshLoginHints(user) {
      // The hint is read from the user here (findLogin): nothing to write, only the condition.
      const stored = users.get(user.id);
      return stored !== undefined && (stored.passwordHash ?? null) === (user.passwordHash ?? null);
    },
    async updatePasswordHash(user, passwordHash, at, verifiedHash) {
      const stored = users.get(user.id);
      if (stored?.passwordHash !== verifiedHash || stored.updatedAt !== user.updatedAt)
        return false;
      update(user.id, { passwordHash, updatedAt: at });
      return true;
    },

    async createSession(session, refresh, options) {
      // As DynamoDB's transaction: both checks and the writes in one synchronous step.
      const user = users.get(session.userId);
      const guarded = session.credentialVersion !== undefined;
      if (guarded && (user?.credentialVersion ?? 0) !== session.credentialVersion) {
        throw new GatehouseError('conflict', "The user's credentials changed meanwhile.");
      }
      if (guarded && !user) throw new GatehouseError('conflict', 'No such user.');
      if (guarded && session.clientId !== null && !clients.has(session.clientId)) {
        throw new GatehouseError('conflict', 'The client no longer exists.');
      }
      if (refresh && refreshTokens.has(refresh.hash)) throw refreshTaken();
      const code = options?.spendAuthorizationCode;
      if (code && !spendOnce(codes, code.hash, code.at)) {
        throw new GatehouseError('conflict', 'The authorization code is spent.');
      }
      if (guarded) update(session.userId, { lastSignInAt: session.createdAt });
      sessions.set(session.sid, copy(session));
      if (refresh) refreshTokens.set(refresh.hash, copy(refresh));
      if (options?.clearLoginFailures) failures.delete(options.clearLoginFailures);
      if (options?.audit) audit.push(copy(options.audit.event));
    },
    async renewSession({ refresh, credentialVersion, authTime, amr, clearLoginFailures }) {
      // As DynamoDB's transaction: every check and write in one synchronous step.
      const session = sessions.get(refresh.sid);
      const user = users.get(refresh.userId);
      if (!session || session.revokedAt !== null || session.userId !== refresh.userId) return false;
      if (session.expiresAt <= refresh.createdAt) return false;
      if (!user || (user.credentialVersion ?? 0) !== credentialVersion) return false;
      if (refreshTokens.has(refresh.hash)) return false;
      // The generation the caller read: a renewal in between makes this one stale.
      if ((session.refreshGeneration ?? 0) !== (refresh.generation ?? 1) - 1) return false;
      sessions.set(refresh.sid, {
        ...session,
        authTime,
        amr: [...amr],
        refreshGeneration: refresh.generation ?? 1,
        lastUsedAt: refresh.createdAt,
      });
      refreshTokens.set(refresh.hash, copy(refresh));
      failures.delete(clearLoginFailures);
      return true;
    },
    async addSessionAmr(sid, values, at) {
      const session = sessions.get(sid);
      if (!session || session.revokedAt !== null || session.expiresAt <= at) return false;
      sessions.set(sid, { ...session, amr: [...new Set([...sessionAmr(session), ...values])] });
      return true;
    },
    async keepSessionAtVersion(sid, credentialVersion) {
      const session = sessions.get(sid);
      if (session && session.revokedAt === null)
        sessions.set(sid, { ...session, credentialVersion });
    },
    async getSession(sid) {
      return copy(sessions.get(sid) ?? null);
    },
    async listUserSessions(userId, now, limit) {
      const live = [...sessions.values()]
        .filter((s) => s.userId === userId && s.revokedAt === null && s.expiresAt > now)
        .sort((a, b) => b.createdAt - a.createdAt);
      return { sessions: copy(live.slice(0, limit)), more: live.length > limit };
    },
    async getRefreshToken(hash) {
      return copy(refreshTokens.get(hash) ?? null);
    },
    async rotateRefreshToken(oldHash, next, at): Promise<RotationOutcome> {
      const old = refreshTokens.get(oldHash);
      const session = sessions.get(next.sid);
      if (!session || session.revokedAt !== null) return 'session_revoked';
      if (!old || old.usedAt !== null) return 'already_used';
      // Issued before the session's last renewal: spent (the caller read the same generation).
      if ((session.refreshGeneration ?? 0) !== (next.generation ?? 0)) return 'already_used';
      refreshTokens.set(oldHash, { ...old, usedAt: at });
      refreshTokens.set(next.hash, copy(next));
      sessions.set(next.sid, { ...session, lastUsedAt: at });
      return 'rotated';
    },
    async revokeSession(sid, at) {
      revoke(sid, at);
    },
    async revokeUserSessions(userId, at, { keepSid, belowVersion, importedOnly } = {}) {
      const mine = [...sessions.values()].filter(
        (s) =>
          s.userId === userId &&
          s.revokedAt === null &&
          s.sid !== keepSid &&
          (belowVersion === undefined || credentialVersionOf(s) < belowVersion) &&
          (!importedOnly || s.origin === 'import'),
      );
      for (const session of mine) revoke(session.sid, at);
      return mine.length;
    },
    async revokeClientSessions(clientId, at) {
      const issued = [...sessions.values()].filter(
        (s) => s.clientId === clientId && s.revokedAt === null,
      );
      for (const session of issued) revoke(session.sid, at);
      return issued.length;
    },

    async getLoginFailures(key) {
      const record = failures.get(key);
      return record ? { failures: record.failures, lastFailureAt: record.lastFailureAt } : null;
    },
    async recordLoginFailure(key, { at, expiresAt, policy, unlessLocked, holder }) {
      // One synchronous step (no await between read and write): atomic in this process.
      const current = failures.get(key) ?? null;
      const next = nextFailures(current, at, policy, unlessLocked);
      if (!next) {
        const { failures: count, lastFailureAt } = current as LoginFailures;
        return { failures: count, lastFailureAt, counted: false };
      }
      // The holder is kept from the failure that locks on, as DynamoDB's lock index keeps it.
      const locks = holder && next.failures >= policy.threshold;
      failures.set(key, { ...next, expiresAt, ...(locks ? { holder } : {}) });
      return { ...next, counted: true };
    },
    async listLoginLocks(now, policy, limit) {
      // The counters are the index here: one map, so lock and listing never disagree.
      const locks: LoginLock[] = [...failures.entries()].flatMap(([key, record]) => {
        if (secondsLocked(record, now, policy) === 0) return [];
        const { failures: count, lastFailureAt, holder } = record;
        const lockedUntil = lockEnd(record, policy);
        return [
          { key, failures: count, lastFailureAt, lockedUntil, ...(holder ? { holder } : {}) },
        ];
      });
      const sorted = locks.sort((a, b) => b.lockedUntil - a.lockedUntil);
      return { locks: copy(sorted.slice(0, limit)), partial: sorted.length > limit };
    },
    async clearLoginFailures(key, options) {
      const record = failures.get(key);
      if (!record) return null;
      // Only a login's counter when asked: an account's lock is cleared under its own rule.
      if (options?.loginHolderOnly && !(record.holder && 'login' in record.holder)) return null;
      failures.delete(key);
      return record.holder ? { holder: copy(record.holder) } : {};
    },
    async releaseLoginAttempt(key) {
      const record = failures.get(key);
      if (record && record.failures > 0) record.failures -= 1;
    },

    async createApiToken(token) {
      if (apiTokens.has(token.tokenId)) throw new GatehouseError('conflict', 'That token exists.');
      apiTokens.set(token.tokenId, copy(token));
    },
    async getApiToken(tokenId) {
      return copy(apiTokens.get(tokenId) ?? null);
    },
    async revokeApiToken(tokenId, at) {
      const token = apiTokens.get(tokenId);
      if (token && token.revokedAt === null) apiTokens.set(tokenId, { ...token, revokedAt: at });
    },
    async renewApiToken(tokenId, expiresAt) {
      const token = apiTokens.get(tokenId);
      if (!token || token.revokedAt !== null) return null;
      const renewed = { ...token, expiresAt };
      apiTokens.set(tokenId, renewed);
      return copy(renewed);
    },
    async listApiTokens({ userId, includeRevoked, limit, after }) {
      const key = (t: ApiTokenRecord) => creationSortKey(t.createdAt, t.tokenId);
      const matching = [...apiTokens.values()].filter(
        (t) => (userId === null || t.userId === userId) && (includeRevoked || t.revokedAt === null),
      );
      return copy(pageOf(matching, key, limit, after, true));
    },

    async markOnce(key, expiresAt, now) {
      const seen = once.get(key);
      if (seen !== undefined && seen > now) return false;
      once.set(key, expiresAt);
      return true;
    },
    async createOneTimeToken(token) {
      oneTimeTokens.set(token.hash, copy(token));
    },
    async consumeOneTimeToken(hash, at) {
      return spendOnce(oneTimeTokens, hash, at);
    },
    async countHit(key, expiresAt) {
      // As DynamoDB's adapter: the key names its window, so no wall clock (tests fake time).
      const count = (counters.get(key)?.count ?? 0) + 1;
      counters.set(key, { count, expiresAt });
      return count;
    },
    async createAuthorizationCode(code) {
      codes.set(code.hash, copy(code));
    },
    async consumeAuthorizationCode(hash, at) {
      return spendOnce(codes, hash, at);
    },
    async getAuthorizationCode(hash) {
      return copy(codes.get(hash) ?? null);
    },
    async createClient(client) {
      clients.set(client.clientId, copy(client));
    },
    async getClient(clientId) {
      return copy(clients.get(clientId) ?? null);
    },
    async deleteClient(clientId) {
      clients.delete(clientId);
    },
    async listClients({ limit, after }) {
      const key = (c: ClientRecord) => creationSortKey(c.createdAt, c.clientId);
      return copy(pageOf([...clients.values()], key, limit, after, true));
    },

    async writeAuditEvent(event) {
      audit.push(copy(event));
    },
    async listAuditEvents({ limit, after, actorId, targetId, action, since, until, outcome }) {
      const key = (e: AuditEvent) => `${e.at}#${e.id}`;
      const matching = audit.filter(
        (e) =>
          (!actorId || e.actor_id === actorId) &&
          (!targetId || e.target_id === targetId) &&
          (!action || e.action === action) &&
          (!outcome || e.outcome === outcome) &&
          (!since || e.at >= since) &&
          (!until || e.at <= until),
      );
      return copy(pageOf(matching, key, limit, after, true));
    },

    async getPublishedKeys() {
      return copy(published);
    },
    async publishKeys(generation, keys) {
      if (published && published.generation > generation) return;
      // Same generation (a race of two publishers): merged, as the DynamoDB store does.
      const held = published?.generation === generation ? published.keys : [];
      published = { generation, keys: copy(mergeJwks(held, keys)) };
    },

    async revocationsSince(since) {
      return revocations.filter((entry) => entry.at >= since);
    },
    async revokeUserClientSessions(userId, clientId, at) {
      const theirs = [...sessions.values()].filter(
        (s) => s.userId === userId && s.clientId === clientId && s.revokedAt === null,
      );
      for (const session of theirs) revoke(session.sid, at);
      return theirs.length;
    },
    async grantConsent(consent) {
      const key = consentKey(consent.userId, consent.clientId);
      const scopes = new Set([...(consents.get(key)?.scopes ?? []), ...consent.scopes]);
      const next = { ...copy(consent), scopes: [...scopes].sort() };
      consents.set(key, next);
      return copy(next);
    },
    async getConsent(userId, clientId) {
      return copy(consents.get(consentKey(userId, clientId)) ?? null);
    },
    async listConsents(userId) {
      return copy(
        [...consents.values()]
          .filter((c) => c.userId === userId)
          .sort((a, b) => a.grantedAt - b.grantedAt || a.clientId.localeCompare(b.clientId)),
      );
    },
    async deleteConsent(userId, clientId) {
      return consents.delete(consentKey(userId, clientId));
    },
  };
};
