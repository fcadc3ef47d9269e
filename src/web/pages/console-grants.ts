import { listGrants, revokeGrant } from '../../core/oauth/consent';
import { html } from '../html';
import { csrfField } from '../layout';
import { withNotice } from '../notices';
import { type PageAction, type PageRequest, seeOther } from '../page-handler';
import { signedInActor } from './console';
import { timeTag } from './console-shared';

/** The console's "App grants": each application the user allowed, with a Revoke button. */
export const grantsSection = async (request: PageRequest, userId: string) => {
  const grants = await listGrants(request.deps, userId);
  const rows = grants.map(
    (g) => html`<tr>
  <td>${g.client_name}</td><td>${g.scopes.join(' ')}</td><td>${timeTag(g.granted_at)}</td>
  <td><form method="post" action="/console/grants/${encodeURIComponent(g.client_id)}/revoke" class="inline" data-confirm="Revoke this application's access? It is signed out of your account.">
    ${csrfField(request.csrf)}<button type="submit" class="danger">Revoke</button></form></td>
</tr>`,
  );
  return html`<section aria-labelledby="grants-heading">
<h2 id="grants-heading">App grants</h2>
<div class="table-wrap"><table>
<caption>Applications you allowed to use your account</caption>
<thead><tr><th scope="col">Application</th><th scope="col">Scopes</th><th scope="col">Allowed</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="4">No application has been allowed.</td></tr>`}</tbody>
</table></div>
</section>`;
};

export const grantRevokeSubmit: PageAction = async (request) => {
  const who = signedInActor(request);
  await revokeGrant(request.deps, who.user.id, request.params.client_id ?? '', request.meta);
  return seeOther(withNotice('/console', 'access_revoked'));
};
