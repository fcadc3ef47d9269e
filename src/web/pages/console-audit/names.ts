import type { AuditNames } from '../../../core/audit/audit-names';
import { html } from '../../html';

/**
 * A value that may be long, on one line cut with an ellipsis (audit.css); the whole text is in
 * the page (screen readers read it), in the title on hover, and shown whole on focus.
 */
export const clipped = (text: string, kind: 'text' | 'id' = 'text') =>
  kind === 'id'
    ? html`<code class="clip clip-id" tabindex="0" title="${text}">${text}</code>`
    : html`<span class="clip" tabindex="0" title="${text}">${text}</span>`;

/** A user by name, linked to their page; an id no user has, shortened. */
export const userRef = (id: string, names: AuditNames) => {
  const user = names.users.get(id);
  if (!user) return clipped(id, 'id');
  return html`<a class="clip" href="/console/users/${encodeURIComponent(id)}" title="${user.label}">${user.label}</a>${
    user.machine ? html` <small>(machine)</small>` : ''
  }`;
};

/** An API token by name, linked to the tokens page; a gone one by its id. */
export const tokenRef = (id: string, names: AuditNames) => {
  const name = names.tokens.get(id);
  return name
    ? html`<a class="clip" href="/console/tokens" title="${name} (${id})">${name}</a>`
    : clipped(id, 'id');
};

/** An OAuth client by name, linked to the clients page; a deleted one by its id. */
export const clientRef = (id: string, names: AuditNames) => {
  const name = names.clients.get(id);
  return name
    ? html`<a class="clip" href="/console/clients" title="${name} (${id})">${name}</a>`
    : clipped(id, 'id');
};
