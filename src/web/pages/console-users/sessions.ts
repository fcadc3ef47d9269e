import type { SessionView } from '../../../core/users/user-overview';
import { html } from '../../html';
import type { PageRequest } from '../../page-handler';
import { timeTag } from '../console-shared';
import { deviceInWords, signInInWords } from './device';
import { userPath } from './links';
import { postButton } from './widgets';

/** The user's live sessions; a "Sign out" per row and "Sign out everywhere" when allowed. */
export const sessionsSection = (
  request: PageRequest,
  userId: string,
  sessions: SessionView[],
  options: { canSignOut: boolean; more: boolean },
) => {
  const path = userPath(userId);
  const rows = sessions.map((session) => {
    const device = deviceInWords(session.userAgent);
    return html`<tr>
<th scope="row">${device}</th>
<td data-label="IP address">${session.ip ?? '—'}</td>
<td data-label="Signed in">${timeTag(session.createdAt)}</td>
<td data-label="Last use">${timeTag(session.lastUsedAt, 'Not since')}</td>
<td data-label="How">${signInInWords(session.amr, session.clientName ?? session.clientId)}</td>
${
  options.canSignOut
    ? html`<td data-label="Actions">${postButton(
        `${path}/sessions/${encodeURIComponent(session.sid)}/sign-out`,
        request.csrf,
        'Sign out',
        {
          label: `Sign out ${device} from ${session.ip ?? 'an unknown address'}`,
          kind: 'secondary',
        },
      )}</td>`
    : ''
}
</tr>`;
  });
  return html`<section aria-labelledby="sessions-heading">
<h2 id="sessions-heading">Active sessions</h2>
${
  rows.length
    ? html`<div class="table-wrap"><table class="user-table">
<caption class="visually-hidden">Active sessions</caption>
<thead><tr><th scope="col">Device</th><th scope="col">IP address</th><th scope="col">Signed in</th><th scope="col">Last use</th><th scope="col">How</th>${
        options.canSignOut ? html`<th scope="col">Actions</th>` : ''
      }</tr></thead>
<tbody>${rows}</tbody>
</table></div>${
        options.more
          ? html`<p class="hint">Not every session of this user is listed (the list is partial: at most ${sessions.length} of those read are shown, newest first). “Sign out everywhere” ends them all, listed or not.</p>`
          : ''
      }`
    : options.more
      ? html`<p class="hint">None of the sessions read is live, but not every session was read (the list is partial). “Sign out everywhere” ends them all.</p>`
      : html`<p>None.</p>`
}
${
  options.canSignOut && (rows.length || options.more)
    ? html`<p>${postButton(`${path}/sessions/sign-out-all`, request.csrf, 'Sign out everywhere', {
        kind: 'danger',
        confirm:
          'End every session of this user? Their tokens stop working within the revocation bound.',
      })}</p>`
    : ''
}
</section>`;
};
