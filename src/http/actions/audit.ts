import { decodeCursor, encodeCursor } from '../../core/cursor';
import { type Action, requireActor } from '../handler';
import { json } from '../responses';
import type { AuditQuery } from '../schemas';

const utc = (iso: string | undefined) => (iso ? new Date(iso).toISOString() : undefined);

export const listAuditAction: Action = async (request) => {
  await requireActor(request);
  const query = request.query as AuditQuery;
  const since = utc(query.since);
  const until = utc(query.until);
  const filters = JSON.stringify([query.actor_id, query.target_id, query.action, since, until]);
  const page = await request.deps.store.listAuditEvents({
    limit: query.limit ?? 50,
    ...(query.cursor ? { after: await decodeCursor(request.deps, query.cursor, filters) } : {}),
    ...(query.actor_id ? { actorId: query.actor_id } : {}),
    ...(query.target_id ? { targetId: query.target_id } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  });
  return json(200, {
    events: page.items,
    next_cursor: page.next ? await encodeCursor(request.deps, page.next, filters) : null,
  });
};
