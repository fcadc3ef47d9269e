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

export interface AuditListing {
  events: AuditEvent[];
  next_cursor: string | null;
}

const utc = (iso: string | undefined) => (iso ? new Date(iso).toISOString() : undefined);

/** Audit events, newest first; a cursor works only with the filters that made it. */
export const listAuditEvents = async (deps: CoreDeps, query: AuditQuery): Promise<AuditListing> => {
  const since = utc(query.since);
  const until = utc(query.until);
  const filters = JSON.stringify([query.actor_id, query.target_id, query.action, since, until]);
  const page = await deps.store.listAuditEvents({
    limit: query.limit ?? 50,
    ...(query.cursor ? { after: await decodeCursor(deps, query.cursor, filters) } : {}),
    ...(query.actor_id ? { actorId: query.actor_id } : {}),
    ...(query.target_id ? { targetId: query.target_id } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  });
  return {
    events: page.items,
    next_cursor: page.next ? await encodeCursor(deps, page.next, filters) : null,
  };
};
