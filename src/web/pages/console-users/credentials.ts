import type { UserOverview } from '../../../core/users/user-overview';
import { type Html, html } from '../../html';
import type { PageRequest } from '../../page-handler';
import { timeTag } from '../console-shared';
import { userPath } from './links';
import { postButton } from './widgets';

const table = (caption: string, headers: string[], rows: Html[]) =>
  html`<div class="table-wrap"><table class="user-table">
<caption class="visually-hidden">${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`;

/** API tokens (never a secret): scopes, dates, last use; Revoke when allowed. */
export const tokensSection = (request: PageRequest, overview: UserOverview) => {
  const may = overview.permissions.revokeTokens.allowed;
  const rows = overview.tokens.map(
    (token) => html`<tr>
<th scope="row">${token.name}</th>
<td data-label="Scopes">${token.scopes === null ? 'All of the user’s grants' : token.scopes.join(' ')}</td>
<td data-label="Created">${timeTag(token.created_at)}</td>
<td data-label="Expires">${timeTag(token.expires_at, 'Never')}</td>
<td data-label="Last used">${timeTag(token.last_used_at)}</td>
${
  may
    ? html`<td data-label="Actions">${postButton(
        `${userPath(overview.user.id)}/tokens/${encodeURIComponent(token.token_id)}/revoke`,
        request.csrf,
        'Revoke',
        { label: `Revoke token ${token.name}`, kind: 'danger', confirm: 'Revoke this token?' },
      )}</td>`
    : ''
}
</tr>`,
  );
  return html`<section aria-labelledby="tokens-heading">
<h2 id="tokens-heading">API tokens</h2>
${
  rows.length
    ? table(
        'API tokens',
        ['Name', 'Scopes', 'Created', 'Expires', 'Last used', ...(may ? ['Actions'] : [])],
        rows,
      )
    : html`<p>None.</p>`
}
${overview.moreTokens ? html`<p class="hint">Only the newest ${overview.tokens.length} are shown.</p>` : ''}
</section>`;
};

const FACTOR_TYPES: Record<string, string> = { totp: 'Authenticator app', webauthn: 'Passkey' };

/** MFA factors (type, name, dates); "Clear factors" when allowed. */
export const factorsSection = (request: PageRequest, overview: UserOverview) => {
  const rows = overview.factors.map(
    (factor) => html`<tr>
<th scope="row">${factor.name}</th>
<td data-label="Type">${FACTOR_TYPES[factor.type] ?? factor.type}</td>
<td data-label="Added">${timeTag(factor.created_at)}</td>
<td data-label="Last used">${timeTag(factor.last_used_at)}</td>
</tr>`,
  );
  return html`<section aria-labelledby="factors-heading">
<h2 id="factors-heading">MFA factors</h2>
${rows.length ? table('MFA factors', ['Name', 'Type', 'Added', 'Last used'], rows) : html`<p>None.</p>`}
${
  rows.length && overview.permissions.clearFactors.allowed
    ? html`<p>${postButton(
        `${userPath(overview.user.id)}/mfa/clear`,
        request.csrf,
        'Clear factors',
        {
          kind: 'danger',
          confirm:
            'Clear every factor and recovery code of this user? Their sessions end and they are mailed.',
        },
      )}</p>`
    : ''
}
</section>`;
};

/** OAuth grants: read-only (withdrawing is the person's own, on their profile). */
export const grantsSection = (overview: UserOverview) => {
  const rows = overview.grants.map(
    (grant) => html`<tr>
<th scope="row">${grant.clientName}</th>
<td data-label="Scopes">${grant.scopes.join(' ')}</td>
<td data-label="Granted">${timeTag(grant.grantedAt)}</td>
</tr>`,
  );
  return html`<section aria-labelledby="grants-heading">
<h2 id="grants-heading">App grants</h2>
${rows.length ? table('App grants', ['App', 'Scopes', 'Granted'], rows) : html`<p>None.</p>`}
<p class="hint">The person withdraws a grant on their own profile; ending their sessions here signs the app out.</p>
</section>`;
};
