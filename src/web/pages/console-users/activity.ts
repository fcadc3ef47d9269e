import type { UserOverview } from '../../../core/users/user-overview';
import { html } from '../../html';
import { alert } from '../../layout';
import type { PageRequest } from '../../page-handler';
import { queryPath, timeTag } from '../console-shared';
import { userPath } from './links';
import { postButton } from './widgets';

/** The account's lock, when there is one, with "Clear lock" for whoever may reset the password. */
export const lockSection = (request: PageRequest, overview: UserOverview) => {
  const { lock, permissions, user } = overview;
  if (!lock) return '';
  return html`<section aria-labelledby="lock-heading" class="user-lock">
<h2 id="lock-heading">Locked out</h2>
<p>${lock.failures} failed attempts; sign-in is refused until ${timeTag(lock.lockedUntil)}.</p>
${
  permissions.clearLock.allowed
    ? postButton(`${userPath(user.id)}/unlock`, request.csrf, 'Clear lock', {
        label: `Clear lock of ${user.email}`,
      })
    : alert(permissions.clearLock.why, 'notice')
}
</section>`;
};

/** The newest events naming the user (as actor or target), linked to the filtered log. */
export const eventsSection = (request: PageRequest, overview: UserOverview) => {
  const { events, user } = overview;
  const canRead =
    request.deps.scopes[request.signedIn?.user.role ?? 'viewer'].includes('audit:read');
  const rows = events.map(
    (event) => html`<tr>
<td data-label="When">${timeTag(event.at)}</td>
<th scope="row"><code>${event.action}</code></th>
<td data-label="Actor">${event.actor_id === user.id ? 'By them' : event.actor_id ? 'By someone else' : 'By the system'}</td>
<td data-label="Outcome"><span class="badge">${event.outcome}</span></td>
<td data-label="IP address">${event.ip ?? '—'}</td>
</tr>`,
  );
  return html`<section aria-labelledby="events-heading">
<h2 id="events-heading">Recent activity</h2>
${
  rows.length
    ? html`<div class="table-wrap"><table class="user-table">
<caption class="visually-hidden">Recent audit events of this user</caption>
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Outcome</th><th scope="col">IP address</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : html`<p>None.</p>`
}
${
  canRead
    ? html`<p><a href="${queryPath('/console/audit', { target_id: user.id })}">Events about them</a> · <a href="${queryPath('/console/audit', { actor_id: user.id })}">Events by them</a></p>`
    : ''
}
</section>`;
};
