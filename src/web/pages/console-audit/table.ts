import type { AuditEvent } from '../../../core/audit/audit';
import { actionWords } from '../../../core/audit/audit-actions';
import { type AuditNames, clientIdOf } from '../../../core/audit/audit-names';
import { html } from '../../html';
import { timeTag } from '../console-shared';
import { detailList } from './detail';
import { clientRef, tokenRef, userRef } from './names';

/** The columns, in order; audit.css gives each a width and, on narrow screens, a label. */
const COLUMNS = ['When', 'Action', 'Actor', 'Target', 'Outcome', 'Detail'] as const;

const nobody = html`<span class="muted">—</span>`;

/** Who acted: a user (and the token they used), the CLI's operator, or nobody known. */
const actorCell = (event: AuditEvent, names: AuditNames) => {
  if (event.actor_id === null) {
    // The CLI acts as no user and names itself in `via` (user-policy.ts operatorDetail).
    return typeof event.detail.via === 'string' ? html`Operator (${event.detail.via})` : nobody;
  }
  return html`${userRef(event.actor_id, names)}${
    event.actor_token_id
      ? html`<br><small>with token ${tokenRef(event.actor_token_id, names)}</small>`
      : ''
  }`;
};

/** What it acted on: a client for `client.*` events, else a user (or an id no user has). */
const targetCell = (event: AuditEvent, names: AuditNames) => {
  if (event.target_id === null) return nobody;
  const client = clientIdOf(event);
  return client === event.target_id ? clientRef(client, names) : userRef(event.target_id, names);
};

const outcomeBadge = (outcome: AuditEvent['outcome']) =>
  outcome === 'success'
    ? html`<span class="badge badge-success">Success</span>`
    : html`<span class="badge badge-failure">Failure</span>`;

const row = (event: AuditEvent, names: AuditNames) => html`<tr>
<td data-label="${COLUMNS[0]}">${timeTag(event.at)}</td>
<td data-label="${COLUMNS[1]}">${actionWords(event.action)}<br><code>${event.action}</code></td>
<td data-label="${COLUMNS[2]}">${actorCell(event, names)}</td>
<td data-label="${COLUMNS[3]}">${targetCell(event, names)}</td>
<td data-label="${COLUMNS[4]}">${outcomeBadge(event.outcome)}</td>
<td data-label="${COLUMNS[5]}">${detailList(event, names)}</td>
</tr>`;

/** The events as a fixed-layout table that fits its container at every width (audit.css). */
export const eventsTable = (events: AuditEvent[], names: AuditNames) =>
  events.length === 0
    ? html`<p>No events match.</p>`
    : html`<table class="audit-table">
<caption>Audit events, newest first</caption>
<thead><tr>${COLUMNS.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
<tbody>${events.map((event) => row(event, names))}</tbody>
</table>`;
