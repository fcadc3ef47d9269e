import * as z from 'zod/mini';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import type { CoreDeps } from '../shared/deps';
import { Cursor, Limit } from '../shared/listing-query';
import type { AuditEvent } from './audit';

/** `GET /audit`'s filters, and the console's: one check for both (API.md). */
export const AuditQuery = z.strictObject({
  actor_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  target_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  action: z.optional(z.string().check(z.regex(/^[a-z_]+\.[a-z_]+$/))),
  since: z.optional(z.iso.datetime({ offset: true })),
  until: z.optional(z.iso.datetime({ offset: true })),
  limit: z.optional(Limit),
  cursor: z.optional(Cursor),
});

export type AuditQuery = z.infer<typeof AuditQuery>;

const AUDIT_OUTCOMES = ['success', 'failure'] as const;

/** The console's filters: the API's plus the outcome (a bounded post-filter, docs/console.md). */
export const ConsoleAuditQuery = z.extend(AuditQuery, {
  outcome: z.optional(z.enum(AUDIT_OUTCOMES)),
});

export type ConsoleAuditQuery = z.infer<typeof ConsoleAuditQuery>;

export interface AuditListing {
  events: AuditEvent[];
  next_cursor: string | null;
}

const utc = (iso: string | undefined) => (iso ? new Date(iso).toISOString() : undefined);

/** Audit events, newest first; a cursor works only with the filters that made it. */
export const listAuditEvents = async (
  deps: CoreDeps,
  query: ConsoleAuditQuery,
): Promise<AuditListing> => {
  const since = utc(query.since);
  const until = utc(query.until);
  // The outcome joins the cursor's filters only when set: GET /audit's cursors stay as they were.
  const filters = JSON.stringify([
    query.actor_id,
    query.target_id,
    query.action,
    since,
    until,
    ...(query.outcome ? [query.outcome] : []),
  ]);
  const page = await deps.store.listAuditEvents({
    limit: query.limit ?? 50,
    ...(query.cursor ? { after: await decodeCursor(deps, query.cursor, filters) } : {}),
    ...(query.actor_id ? { actorId: query.actor_id } : {}),
    ...(query.target_id ? { targetId: query.target_id } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(query.outcome ? { outcome: query.outcome } : {}),
  });
  return {
    events: page.items,
    next_cursor: page.next ? await encodeCursor(deps, page.next, filters) : null,
  };
};
