import { listGrants, revokeGrant } from '../../core/oauth/consent';
import { html } from '../html';
import { csrfField } from '../layout';
import { withNotice } from '../notices';
import { type PageAction, type PageRequest, seeOther } from '../page-handler';
import { stackTable } from '../tables';
import { signedInActor } from './console';
import { timeTag } from './console-shared';
import { scopeWords } from './console-token-rows';

/** The console's "App grants": each application the user allowed, with a Revoke button. */
export const grantsSection = async (request: PageRequest, userId: string) => {
  const grants = await listGrants(request.deps, userId);
  const table = stackTable({
    caption: 'Applications you allowed to use your account',
    columns: [
      { label: 'Application', width: 'm' },
      { label: 'What it can do' },
      { label: 'Allowed', width: 's' },
      { label: 'Actions', width: 's', hiddenLabel: true },
    ],
    rows: grants.map((g) => [
      g.client_name,
      scopeWords(g.scopes),
      timeTag(g.granted_at),
      html`<form method="post" action="/console/grants/${encodeURIComponent(g.client_id)}/revoke" class="inline" data-confirm="Revoke this application's access? It is signed out of your account.">
    ${csrfField(request.csrf)}<button type="submit" class="danger" aria-label="Revoke ${g.client_name}">Revoke</button></form>`,
    ]),
    empty: 'No application has been allowed.',
  });
  return html`<section aria-labelledby="grants-heading">
<h2 id="grants-heading">App grants</h2>
${table}
</section>`;
};

export const grantRevokeSubmit: PageAction = async (request) => {
  const who = signedInActor(request);
  await revokeGrant(request.deps, who.user.id, request.params.client_id ?? '', request.meta);
  return seeOther(withNotice('/console', 'access_revoked'));
};
