import type { AuditEvent } from '../../../core/audit/audit';
import type { AuditNames } from '../../../core/audit/audit-names';
import { type Html, html } from '../../html';
import { timeTag } from '../console-shared';
import { clientRef, clipped, tokenRef, userRef } from './names';

type DetailValue = AuditEvent['detail'][string];

/** Detail keys Gatehouse writes, in words; others are spelled from the key. */
const KEY_WORDS: Record<string, string> = {
  client_id: 'OAuth client',
  confidential: 'Confidential client',
  factor: 'Factor',
  factor_id: 'Factor id',
  factors: 'Factors',
  fields: 'Fields changed',
  from_role: 'Role before',
  generated: 'Password generated',
  grant_types: 'Grant types',
  groups: 'Groups',
  method: 'Method',
  other_sessions_ended: 'Other sessions ended',
  reason: 'Reason',
  role: 'Role',
  scope: 'Scopes',
  scoped: 'Scoped token',
  second_factor: 'Second factor',
  service_user_id: 'Service account',
  sessions: 'Sessions ended',
  sid: 'Session',
  status: 'Status',
  step_up: 'Step-up',
  takeover: 'Took over an unproven account',
  to_role: 'Role after',
  token_id: 'API token',
  token_type: 'Token type',
  type: 'Type',
  via: 'Through',
};

/** `some_key` as "Some key" when the catalogue above has no words for it. */
export const keyWords = (key: string): string =>
  KEY_WORDS[key] ?? `${key.charAt(0).toUpperCase()}${key.slice(1).replaceAll('_', ' ')}`;

/** Keys whose value is a space-separated list (scopes, grant types, groups). */
const LISTS = new Set(['scope', 'grant_types', 'groups', 'fields']);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** One detail value, formatted for reading: never raw JSON. */
const detailValue = (key: string, value: DetailValue, names: AuditNames): Html => {
  if (value === null || value === '') return html`<span>none</span>`;
  if (typeof value === 'boolean') return html`${value ? 'Yes' : 'No'}`;
  if (typeof value === 'number') return html`${value.toLocaleString('en-GB')}`;
  if (key === 'token_id') return tokenRef(value, names);
  if (key === 'client_id') return clientRef(value, names);
  if (key === 'service_user_id') return userRef(value, names);
  if (key === 'sid' || key === 'factor_id') return clipped(value, 'id');
  if (LISTS.has(key)) {
    return html`<ul class="chips">${value
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((item) => html`<li><code>${item}</code></li>`)}</ul>`;
  }
  if (ISO_TIME.test(value)) return html`${timeTag(value)}`;
  return clipped(value);
};

/** A federated identity as one field: its provider, then the subject there. */
const identityField = (detail: AuditEvent['detail']) =>
  typeof detail.provider === 'string' && typeof detail.subject === 'string'
    ? html`<dt>Identity</dt><dd><code>${detail.provider}</code> · ${clipped(detail.subject)}</dd>`
    : '';

/** An event's detail, where it came from and with what, as labelled fields. */
export const detailList = (event: AuditEvent, names: AuditNames): Html => {
  const identity = identityField(event.detail);
  // By key: DynamoDB keeps no order of a map's keys, and a reader finds a field faster so.
  const entries = Object.entries(event.detail)
    .filter(([key]) => !(identity && (key === 'provider' || key === 'subject')))
    .sort(([a], [b]) => a.localeCompare(b));
  return html`<dl class="detail">${identity}${entries.map(
    ([key, value]) => html`<dt>${keyWords(key)}</dt><dd>${detailValue(key, value, names)}</dd>`,
  )}${event.ip ? html`<dt>IP address</dt><dd>${clipped(event.ip)}</dd>` : ''}${
    event.user_agent ? html`<dt>Browser or client</dt><dd>${clipped(event.user_agent)}</dd>` : ''
  }</dl>`;
};
