import { type AuditQuery, listAuditEvents } from '../../core/audit/audit-log';
import { type Action, requireActor } from '../handler';
import { json } from '../responses';

export const listAuditAction: Action = async (request) => {
  await requireActor(request, { readOnly: true });
  return json(200, await listAuditEvents(request.deps, request.query as AuditQuery));
};
