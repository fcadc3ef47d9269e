import type { AuditEvent } from '../../core/audit/audit';
import { AuditQuery, listAuditEvents } from '../../core/audit/audit-log';
import { usersWithIds } from '../../core/users/user-listing';
import type { PublicUser } from '../../core/users/users';
import { checked, given } from '../forms';
import { html } from '../html';
import { alert, field, layout } from '../layout';
import { type PageAction, type PageRequest, page } from '../page-handler';
import { consoleAction, formError, pager, timeTag } from './console-shared';

const PAGE_SIZE = 50;

/** Ids in events, as the users they name where they still exist (targets may be tokens). */
const usersNamed = async (request: PageRequest, events: AuditEvent[]) => {
  const ids = events.flatMap((e) => [e.actor_id, e.target_id]).filter((id) => id !== null);
  const users = await usersWithIds(request.deps, ids);
  return new Map(users.map((user) => [user.id, user]));
};

const who = (id: string | null, users: Map<string, PublicUser>, operator?: unknown) => {
  if (id === null) {
    return typeof operator === 'string' ? html`Operator (${operator})` : html`<span>—</span>`;
  }
  const user = users.get(id);
  return user
    ? html`<a href="/console/users/${encodeURIComponent(id)}">${user.email}</a>`
    : html`<code>${id}</code>`;
};

const eventsTable = (events: AuditEvent[], users: Map<string, PublicUser>) =>
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

/** The filter form's values, checked as GET /audit checks them (the core's AuditQuery). */
const auditQuery = (query: URLSearchParams): AuditQuery =>
  checked(AuditQuery, {
    limit: PAGE_SIZE,
    action: given(query, 'action'),
    actor_id: given(query, 'actor_id'),
    target_id: given(query, 'target_id'),
    cursor: given(query, 'cursor'),
  });

export const auditPage: PageAction = consoleAction('audit:read', async (request, actor) => {
  const { query } = request;
  let results: ReturnType<typeof html>;
  let problem: { message: string; status: number } | null = null;
  try {
    const listing = auditQuery(query);
    // The same listing as GET /audit, so a cursor from one works in the other.
    const found = await listAuditEvents(request.deps, listing);
    const { action, actor_id, target_id, cursor } = listing;
    const filters = { action, actor_id, target_id };
    results = html`${eventsTable(found.events, await usersNamed(request, found.events))}
${pager('/console/audit', filters, cursor, found.next_cursor ?? undefined)}`;
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
    layout({
      title: 'Audit log',
      body,
      user: actor.user,
      csrf: request.csrf,
      path: request.path,
      wide: true,
    }),
  );
});
