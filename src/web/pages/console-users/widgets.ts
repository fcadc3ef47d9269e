import { type Html, html } from '../../html';
import { csrfField, layout } from '../../layout';
import type { PageRequest } from '../../page-handler';
import type { ConsoleActor } from '../console-shared';

/** What a form answers next to itself: bad input, a taken email, the role ceiling. */
export const FORM_ERRORS = ['record_invalid', 'conflict', 'forbidden'] as const;

export interface Problem {
  /** The form the message belongs beside. */
  at: 'add' | 'edit' | 'password' | 'filter' | 'unlink' | 'action';
  message: string;
  status: number;
}

export const consolePage = (request: PageRequest, actor: ConsoleActor, title: string, body: Html) =>
  layout({ title, body, user: actor.user, csrf: request.csrf, path: request.path, wide: true });

export const select = (
  label: string,
  name: string,
  id: string,
  options: readonly (readonly [string, string])[],
  selected: string | null | undefined,
) => html`<label for="${id}">${label}</label>
<select id="${id}" name="${name}">${options.map(
  ([value, text]) =>
    html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${text}</option>`,
)}</select>`;

export const postButton = (
  action: string,
  csrf: string,
  text: string,
  options: { label?: string; kind?: 'secondary' | 'danger'; confirm?: string } = {},
) =>
  html`<form method="post" action="${action}" class="inline"${
    options.confirm ? html` data-confirm="${options.confirm}"` : ''
  }>${csrfField(csrf)}<button type="submit"${options.kind ? html` class="${options.kind}"` : ''}${
    options.label ? html` aria-label="${options.label}"` : ''
  }>${text}</button></form>`;

export const pendingButtons = (request: PageRequest, user: { id: string; email: string }) => {
  const path = `/console/users/${encodeURIComponent(user.id)}`;
  return html`${postButton(`${path}/approve`, request.csrf, 'Approve', {
    label: `Approve ${user.email}`,
  })} ${postButton(`${path}/reject`, request.csrf, 'Reject', {
    label: `Reject ${user.email}`,
    kind: 'secondary',
    confirm: 'Reject this request? The user is deleted.',
  })}`;
};
