import type { CoreDeps } from '../../../core/shared/deps';
import type { PublicUser } from '../../../core/users/users';
import { html } from '../../html';
import { alert, csrfField } from '../../layout';
import type { PageRequest } from '../../page-handler';
import { timeTag } from '../console-shared';
import { userPath } from './links';
import type { Problem } from './widgets';

/** A configured provider by its `name`; JWT SSO and providers no longer configured by id. */
const providerLabel = (deps: CoreDeps, providerId: string) =>
  deps.config.identityProviders.find((provider) => provider.id === providerId)?.name ?? providerId;

type Identity = PublicUser['identities'][number];

/** An owner's Unlink: a POST form with the CSRF token, confirmed first (app.js data-confirm). */
const unlinkForm = (request: PageRequest, userId: string, identity: Identity, label: string) =>
  html`<form method="post" action="${userPath(userId)}/identities/unlink" class="inline" data-confirm="Unlink this identity? Its next sign-in is judged as a new login; the user’s sessions stay.">
${csrfField(request.csrf)}<input type="hidden" name="provider" value="${identity.provider}"><input type="hidden" name="subject" value="${identity.subject}">
<button type="submit" class="secondary" aria-label="Unlink ${label} ${identity.subject}">Unlink</button></form>`;

/** The user page's "Linked identities"; `canUnlink` (owners) adds a button per identity. */
export const identitiesSection = (
  request: PageRequest,
  user: PublicUser,
  options: { canUnlink: boolean; problem: Problem | null },
) => {
  const rows = user.identities.map((identity) => {
    const label = providerLabel(request.deps, identity.provider);
    return html`<tr>
<th scope="row">${label}</th>
<td data-label="Subject"><code>${identity.subject}</code></td>
<td data-label="Linked">${timeTag(identity.linked_at)}</td>
${options.canUnlink ? html`<td data-label="Actions">${unlinkForm(request, user.id, identity, label)}</td>` : ''}
</tr>`;
  });
  return html`<section aria-labelledby="identities-heading">
<h2 id="identities-heading">Linked identities</h2>
${alert(options.problem?.at === 'unlink' ? options.problem.message : null)}
${
  rows.length
    ? html`<div class="table-wrap"><table class="user-table">
<caption class="visually-hidden">Linked identities</caption>
<thead><tr><th scope="col">Provider</th><th scope="col">Subject</th><th scope="col">Linked</th>${
        options.canUnlink ? html`<th scope="col">Actions</th>` : ''
      }</tr></thead>
<tbody>${rows}</tbody>
</table></div>${
        options.canUnlink
          ? html`<p class="hint">Unlinking ends no session and keeps the password: to cut someone off now, disable the user first.</p>`
          : ''
      }`
    : html`<p>None.</p>`
}
</section>`;
};
