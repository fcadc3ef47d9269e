import type { AuditEvent } from '../../core/audit';
import { decodeCursor, encodeCursor } from '../../core/cursor';
import { GatehouseError, isGatehouseError } from '../../core/errors';
import type { Actor } from '../../core/user-policy';
import type { UserRecord } from '../../core/users';
import { errorStatus } from '../../http/error-status';
import type { HttpResult } from '../../http/responses';
import { html } from '../html';
import { alert, field, layout } from '../layout';
import { type PageAction, type PageRequest, page } from '../page-handler';
import { currentPath, signInRedirect } from './auth';

export type ConsoleActor = Extract<Actor, { kind: 'user' }>;

/**
 * A console action: strangers go to sign in (and come back to `returnTo`, by default this
 * page), and the caller's role must grant `scope`. The role ceiling is the core's to enforce.
 */
export const consoleAction =
  (
    scope: string,
    run: (request: PageRequest, actor: ConsoleActor) => Promise<HttpResult>,
    returnTo?: (request: PageRequest) => string,
  ): PageAction =>
  async (request) => {
    if (!request.signedIn) {
      return signInRedirect(request.deps, returnTo ? returnTo(request) : currentPath(request));
    }
    const { user } = request.signedIn;
    if (!request.deps.scopes[user.role].includes(scope)) {
      throw new GatehouseError(
        'forbidden',
        `This page needs the ${scope} permission, which the ${user.role} role does not have.`,
      );
    }
    return run(request, { kind: 'user', user, tokenId: null });
  };

/** A link to `path` carrying only the parameters that have a value (filters, cursor). */
export const queryPath = (path: string, params: Record<string, string | undefined>): string => {
  const query = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1])),
  ).toString();
  return query ? `${path}?${query}` : path;
};

/** Links to a listing's first page (when past it) and next page (when there is one). */
export const pager = (
  path: string,
  filters: Record<string, string | undefined>,
  cursor: string | undefined,
  next: string | undefined,
) =>
  cursor || next
    ? html`<nav aria-label="Pages"><p>${cursor ? html`<a href="${queryPath(path, filters)}">First page</a> ` : ''}${
        next ? html`<a href="${queryPath(path, { ...filters, cursor: next })}">Next page</a>` : ''
      }</p></nav>`
    : '';

/** A machine-readable time with a short UTC reading; `fallback` when there is none. */
export const timeTag = (iso: string | null, fallback = 'Never') =>
  iso ? html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>` : fallback;

/** A GatehouseError a form answers next to itself; anything else goes to the error page. */
export const formError = (error: unknown, codes: readonly string[]) =>
  isGatehouseError(error) && codes.includes(error.code)
    ? { message: error.message, status: errorStatus[error.code] as number }
    : null;

const PAGE_SIZE = 50;
const ACTION_PATTERN = /^[a-z_]+\.[a-z_]+$/;

interface AuditFilters {
  action?: string;
  actor_id?: string;
  target_id?: string;
}

/** The filter form's values, checked as GET /audit checks them; the message names the field. */
const auditFilters = (query: URLSearchParams): AuditFilters => {
  const filters: AuditFilters = {};
  for (const name of ['action', 'actor_id', 'target_id'] as const) {
    const value = query.get(name)?.trim();
    if (!value) continue;
    if (value.length > 128) {
      throw new GatehouseError('record_invalid', `${name}: at most 128 characters.`);
    }
    filters[name] = value;
  }
  if (filters.action && !ACTION_PATTERN.test(filters.action)) {
    throw new GatehouseError(
      'record_invalid',
      'action: name an action as area.verb, for example user.update.',
    );
  }
  return filters;
};

/** Ids in events, as the users they name where they still exist (targets may be tokens). */
const usersNamed = async (request: PageRequest, events: AuditEvent[]) => {
  const ids = [
    ...new Set(events.flatMap((e) => [e.actor_id, e.target_id]).filter((id) => id !== null)),
  ];
  const users = await Promise.all(ids.map((id) => request.deps.store.getUser(id)));
  return new Map(
    users.filter((user): user is UserRecord => user !== null).map((user) => [user.id, user]),
  );
};

const who = (id: string | null, users: Map<string, UserRecord>, operator?: unknown) => {
  if (id === null) {
    return typeof operator === 'string' ? html`Operator (${operator})` : html`<span>—</span>`;
  }
  const user = users.get(id);
  return user
    ? html`<a href="/console/users/${encodeURIComponent(id)}">${user.email}</a>`
    : html`<code>${id}</code>`;
};

const eventsTable = (events: AuditEvent[], users: Map<string, UserRecord>) =>
  events.length === 0
    ? html`<p>No events match.</p>`
    : html`<div class="table-wrap"><table>
<caption>Audit events, newest first</caption>
<thead><tr><th scope="col">At</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
<tbody>${events.map(
        (event) => html`<tr>
<td>${timeTag(event.at)}</td>
<td><code>${event.action}</code></td>
<td>${who(event.actor_id, users, event.detail.via)}</td>
<td>${who(event.target_id, users)}</td>
<td><span class="badge">${event.outcome}</span></td>
<td>${Object.keys(event.detail).length ? html`<code>${JSON.stringify(event.detail)}</code>` : ''}</td>
</tr>`,
      )}</tbody>
</table></div>`;

export const auditPage: PageAction = consoleAction('audit:read', async (request, actor) => {
  const { query } = request;
  let results: ReturnType<typeof html>;
  let problem: { message: string; status: number } | null = null;
  try {
    const filters = auditFilters(query);
    const cursor = query.get('cursor') || undefined;
    // The same cursor form as GET /audit, so a cursor from one works in the other.
    const key = JSON.stringify([filters.actor_id, filters.target_id, filters.action, null, null]);
    const found = await request.deps.store.listAuditEvents({
      limit: PAGE_SIZE,
      ...(cursor ? { after: await decodeCursor(request.deps, cursor, key) } : {}),
      ...(filters.actor_id ? { actorId: filters.actor_id } : {}),
      ...(filters.target_id ? { targetId: filters.target_id } : {}),
      ...(filters.action ? { action: filters.action } : {}),
    });
    const next = found.next ? await encodeCursor(request.deps, found.next, key) : undefined;
    results = html`${eventsTable(found.items, await usersNamed(request, found.items))}
${pager('/console/audit', { ...filters }, cursor, next)}`;
  } catch (error) {
    problem = formError(error, ['record_invalid']);
    if (!problem) throw error;
    results = html``;
  }
  const body = html`${alert(problem?.message)}
<form method="get" action="/console/audit" class="grid" role="search" aria-label="Filter events">
${field('Action', 'action', { value: query.get('action'), hint: 'area.verb, for example user.update' })}
${field('Actor id', 'actor_id', { value: query.get('actor_id'), hint: 'The id on a user’s page' })}
${field('Target id', 'target_id', { value: query.get('target_id') })}
<button type="submit">Filter</button>
</form>
${results}`;
  return page(
    problem?.status ?? 200,
    layout({ title: 'Audit log', body, user: actor.user, csrf: request.csrf }),
  );
});
