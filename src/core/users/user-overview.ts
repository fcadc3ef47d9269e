import type { AuditEvent } from '../audit/audit';
import { toPublicFactor } from '../mfa/factors';
import { sessionAmr } from '../sessions/session-facts';
import { toIso } from '../shared/clock';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { type PublicApiToken, toPublicApiToken } from '../tokens/api-tokens';
import { isAtLeast } from './roles';
import { userLock } from './user-lockouts';
import { loadUser } from './user-management';
import { type UserPermissions, userPermissions } from './user-permissions';
import type { Actor } from './user-policy';
import type { UserRecord } from './users';

/** How many of each list the user page shows. */
const SESSIONS_SHOWN = 50;
const TOKENS_SHOWN = 50;
const EVENTS_SHOWN = 20;

/** A live session as the page shows it: no token, no cookie hash. */
export interface SessionView {
  sid: string;
  clientId: string | null;
  clientName: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  amr: string[];
}

export interface GrantView {
  clientId: string;
  clientName: string;
  scopes: string[];
  grantedAt: string;
}

/** Everything the user page shows about a person, in one use case. */
export interface UserOverview {
  user: UserRecord;
  permissions: UserPermissions;
  sessions: SessionView[];
  moreSessions: boolean;
  tokens: PublicApiToken[];
  moreTokens: boolean;
  factors: ReturnType<typeof toPublicFactor>[];
  grants: GrantView[];
  /** Newest first, as actor or target. */
  events: AuditEvent[];
  lock: { failures: number; lockedUntil: string } | null;
}

/** The user's newest events as actor and as target, merged (two index reads, one page each). */
const recentEvents = async (deps: CoreDeps, userId: string): Promise<AuditEvent[]> => {
  const [asActor, asTarget] = await Promise.all([
    deps.store.listAuditEvents({ limit: EVENTS_SHOWN, actorId: userId }),
    deps.store.listAuditEvents({ limit: EVENTS_SHOWN, targetId: userId }),
  ]);
  const byId = new Map([...asActor.items, ...asTarget.items].map((event) => [event.id, event]));
  return [...byId.values()]
    .sort((a, b) => (a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at)))
    .slice(0, EVENTS_SHOWN);
};

/**
 * The user page's facts. Invariant: only someone who manages the user (or the user) reads
 * their sessions, tokens and factors; every secret stays out (tokens and factors in their
 * public shapes, sessions without hashes).
 */
export const userOverview = async (
  deps: CoreDeps,
  actor: Actor,
  userId: string,
): Promise<UserOverview> => {
  const user = await loadUser(deps, userId);
  // Reading is wider than acting: admins and owners see everyone (as GET /users/{id} does).
  if (actor.kind === 'user' && actor.user.id !== user.id && !isAtLeast(actor.user.role, 'admin')) {
    throw new GatehouseError('forbidden', 'Your role cannot see other users.');
  }
  const now = deps.clock.now();
  const [permissions, listed, tokens, mfa, consents, events, lock] = await Promise.all([
    userPermissions(deps, actor, user),
    deps.store.listUserSessions(user.id, now, SESSIONS_SHOWN),
    deps.store.listApiTokens({ userId: user.id, includeRevoked: false, limit: TOKENS_SHOWN }),
    deps.store.getMfaState(user.id),
    deps.store.listConsents(user.id),
    recentEvents(deps, user.id),
    userLock(deps, user.id),
  ]);
  const clientIds = [
    ...new Set([
      ...listed.sessions.flatMap((s) => (s.clientId ? [s.clientId] : [])),
      ...consents.map((c) => c.clientId),
    ]),
  ];
  const clients = new Map(
    (await Promise.all(clientIds.map((id) => deps.store.getClient(id)))).flatMap((client) =>
      client ? [[client.clientId, client.name] as const] : [],
    ),
  );
  return {
    user,
    permissions,
    sessions: listed.sessions.map((s) => ({
      sid: s.sid,
      clientId: s.clientId,
      clientName: s.clientId ? (clients.get(s.clientId) ?? null) : null,
      createdAt: toIso(s.createdAt),
      lastUsedAt: s.lastUsedAt === undefined ? null : toIso(s.lastUsedAt),
      expiresAt: toIso(s.expiresAt),
      ip: s.ip ?? null,
      userAgent: s.userAgent ?? null,
      amr: sessionAmr(s),
    })),
    moreSessions: listed.more,
    tokens: tokens.items.map(toPublicApiToken),
    moreTokens: tokens.next !== null,
    factors: mfa.factors.map(toPublicFactor),
    grants: consents.map((c) => ({
      clientId: c.clientId,
      clientName: clients.get(c.clientId) ?? c.clientId,
      scopes: c.scopes,
      grantedAt: toIso(c.grantedAt),
    })),
    events,
    lock: lock ? { failures: lock.failures, lockedUntil: toIso(lock.lockedUntil) } : null,
  };
};
