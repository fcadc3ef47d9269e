import { activityOfAuditEvent } from '../activity/audit-activity';
import { countActivity } from '../activity/count-activity';
import { toIso } from '../shared/clock';
import type { CoreDeps } from '../shared/deps';
import { newId } from '../shared/ids';

/** An audit event as the API shows it (../shared/API.md). Never a secret in any field. */
export interface AuditEvent {
  id: string;
  at: string;
  actor_id: string | null;
  actor_token_id: string | null;
  action: string;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  outcome: 'success' | 'failure';
  detail: Record<string, string | number | boolean | null>;
}

/** Who asked, from where: what every audited action is told. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export const noRequest: RequestMeta = { ip: null, userAgent: null };

export interface AuditEntry {
  action: string;
  actorId: string | null;
  actorTokenId?: string | null;
  targetId: string | null;
  outcome?: 'success' | 'failure';
  detail?: AuditEvent['detail'];
}

/** An event as stored, with when the store may forget it. */
export interface AuditRecord {
  event: AuditEvent;
  expiresAt: number;
}

/** The event an entry makes now, for recordAudit or a store write that carries it. */
export const auditRecord = (deps: CoreDeps, meta: RequestMeta, entry: AuditEntry): AuditRecord => {
  const now = deps.clock.now();
  const event: AuditEvent = {
    id: newId(),
    at: toIso(now),
    actor_id: entry.actorId,
    actor_token_id: entry.actorTokenId ?? null,
    action: entry.action,
    target_id: entry.targetId,
    ip: meta.ip,
    user_agent: meta.userAgent ? meta.userAgent.slice(0, 512) : null,
    outcome: entry.outcome ?? 'success',
    detail: entry.detail ?? {},
  };
  return { event, expiresAt: now + deps.config.auditRetentionDays * 86_400_000 };
};

/**
 * Records an event. A failed audit write is logged by the caller's logger but does not undo
 * or fail the change it describes. One exception: a password sign-in's success event is
 * written in the session's own transaction (Store.createSession), so no session exists
 * unaudited, and a sign-in fails with the audit table.
 */
export const recordAudit = async (
  deps: CoreDeps,
  meta: RequestMeta,
  entry: AuditEntry,
): Promise<void> => {
  const { event, expiresAt } = auditRecord(deps, meta, entry);
  const written = deps.store.writeAuditEvent(event, expiresAt).catch((error: unknown) => {
    deps.onAuditFailure(error, event);
  });
  // The dashboard's count is started after the event, never awaited: a slow counter never
  // slows the request.
  countActivity(deps, activityOfAuditEvent(event));
  await written;
};
