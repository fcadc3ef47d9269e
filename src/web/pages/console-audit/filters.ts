import { ConsoleAuditQuery } from '../../../core/audit/audit-log';
import { GatehouseError } from '../../../core/shared/errors';
import { findUserByReference } from '../../../core/users/user-listing';
import { checked, given } from '../../forms';
import type { PageRequest } from '../../page-handler';

/** The filter form's fields as the URL carries them (GET, so links and the pager keep them). */
const FILTER_FIELDS = [
  'action',
  'actor_id',
  'target_id',
  'outcome',
  'since',
  'until',
  'tz',
] as const;

export type FilterValues = Partial<Record<(typeof FILTER_FIELDS)[number], string>>;

export interface AuditFilters {
  /** What the viewer typed, to fill the form and the links again. */
  values: FilterValues;
  query: ConsoleAuditQuery;
  /** Things the viewer should know about how a value was read (an id no user has). */
  notes: string[];
}

const refused = (message: string) => new GatehouseError('record_invalid', message);

const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** The viewer's zone offset in minutes east of UTC (local-times.ts sends it); none means UTC. */
const offsetOf = (tz: string | undefined): string => {
  if (tz === undefined) return 'Z';
  const minutes = Number(tz);
  if (!Number.isInteger(minutes) || Math.abs(minutes) > 14 * 60) {
    throw refused('tz: is not a time zone offset in minutes.');
  }
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

/**
 * A `datetime-local` value in the viewer's zone as ISO-8601 (an ISO value passes as it is);
 * `end`: a minute given without seconds reaches to its last millisecond (until is inclusive).
 */
const instant = (name: string, value: string | undefined, tz: string | undefined, end = false) => {
  if (value === undefined) return undefined;
  if (!DATETIME_LOCAL.test(value)) {
    if (!Number.isNaN(Date.parse(value)) && /[Zz]|[+-]\d{2}:\d{2}$/.test(value)) return value;
    throw refused(`${name}: give a date and time, for example 2026-12-07T09:30.`);
  }
  const seconds = value.length === 16 ? (end ? ':59.999' : ':00') : end ? '.999' : '';
  return `${value}${seconds}${offsetOf(tz)}`;
};

/** An actor or target as typed: an id, an email or a username, as the id it names. */
const referenced = async (
  request: PageRequest,
  name: string,
  value: string | undefined,
  notes: string[],
) => {
  if (value === undefined) return undefined;
  const user = await findUserByReference(request.deps, value);
  if (user) return user.id;
  // An email names a user or nothing; anything else may be a token's, a client's or a gone user's id.
  if (value.includes('@')) throw refused(`${name}: no user has the email ${value}.`);
  notes.push(`${name}: no user has the id or username ${value}; showing events that name that id.`);
  return value;
};

/** The page's and the exports' filters, checked as GET /audit checks its own (plus outcome). */
export const readFilters = async (request: PageRequest, limit: number): Promise<AuditFilters> => {
  const values: FilterValues = {};
  for (const field of FILTER_FIELDS) {
    const value = given(request.query, field);
    if (value !== undefined) values[field] = value;
  }
  const notes: string[] = [];
  const actorId = await referenced(request, 'Actor', values.actor_id, notes);
  const targetId = await referenced(request, 'Target', values.target_id, notes);
  const query = checked(ConsoleAuditQuery, {
    limit,
    action: values.action,
    actor_id: actorId,
    target_id: targetId,
    outcome: values.outcome,
    since: instant('Since', values.since, values.tz),
    until: instant('Until', values.until, values.tz, true),
    cursor: given(request.query, 'cursor'),
  });
  if (query.since && query.until && Date.parse(query.since) > Date.parse(query.until)) {
    throw refused('Since: is after Until.');
  }
  return { values, query, notes };
};
