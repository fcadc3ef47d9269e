import { describeScope } from '../../core/oauth/oauth-scopes';
import type { ApiTokenView } from '../../core/tokens/api-tokens';
import type { Role } from '../../core/users/roles';
import type { PublicUser } from '../../core/users/users';
import { type Html, html } from '../html';
import { csrfField } from '../layout';
import type { PageRequest } from '../page-handler';
import { type Column, truncated } from '../tables';
import { timeTag } from './console-shared';
import { deviceInWords } from './console-users/device';

/** Each scope by name with what it lets a token do, in words (one catalogue: describeScope). */
export const scopeWords = (scopes: readonly string[]): Html =>
  html`<ul class="plain">${scopes.map(
    (scope) => html`<li><code>${scope}</code>: ${describeScope(scope)}</li>`,
  )}</ul>`;

/** An unscoped token follows its owner: say so, and what that is today. */
const unscopedWords = (grants: readonly string[] | null) =>
  html`<p>Everything its owner can do, now and as their role changes.</p>${
    grants
      ? html`<details><summary>Today: ${grants.length} permissions</summary>${scopeWords(grants)}</details>`
      : ''
  }`;

/** Active, expired or revoked, in words with the moment it turned so. */
const statusWords = (token: ApiTokenView, now: number) => {
  if (token.revoked_at)
    return html`<span class="badge danger">Revoked</span> ${timeTag(token.revoked_at)}`;
  if (token.expires_at && Date.parse(token.expires_at) <= now) {
    return html`<span class="badge warn">Expired</span> ${timeTag(token.expires_at)}`;
  }
  return html`<span class="badge ok">Active</span> ${
    token.expires_at ? html`until ${timeTag(token.expires_at)}` : 'never expires'
  }${token.renewable ? ', renewable' : ''}`;
};

/**
 * When and from where: the device in words (the user page's parser), then the user agent cut
 * to a line, whole on focus.
 */
const lastUseWords = (token: ApiTokenView) => {
  if (!token.last_used_at) return 'Never used';
  const from = token.last_used_from;
  return html`${timeTag(token.last_used_at)}${
    from?.ip ? html`<br>from <code>${from.ip}</code>` : ''
  }${from?.user_agent ? html`<br>${deviceInWords(from.user_agent)}${truncated(from.user_agent)}` : ''}`;
};

const personWords = (users: ReadonlyMap<string, PublicUser>, id: string) => {
  const user = users.get(id);
  return user
    ? html`<a href="/console/users/${id}">${user.name || user.email}</a>`
    : html`<code>${id}</code>`;
};

export const tokenColumns = (all: boolean): Column[] => [
  { label: 'Token', width: 'm' },
  { label: 'What it can do' },
  { label: 'Status', width: 'm' },
  { label: 'Last used', width: 'm' },
  ...(all ? [{ label: 'Owner and creator', width: 'm' } as const] : []),
  { label: 'Actions', width: 's', hiddenLabel: true },
];

interface TokenRowContext {
  request: PageRequest;
  all: boolean;
  now: number;
  /** Owners and creators, by id (the every-token view). */
  users: ReadonlyMap<string, PublicUser>;
  /** A token owner's role, for the grants an unscoped token holds today; unknown: null. */
  roleOf: (userId: string) => Role | null;
}

export const tokenRow = (token: ApiTokenView, context: TokenRowContext): (Html | string)[] => {
  const { request } = context;
  const role = context.roleOf(token.user_id);
  const revoke = token.revoked_at
    ? ''
    : html`<form method="post" action="/console/tokens/${token.token_id}/revoke" class="inline" data-confirm="Revoke this token? Whatever uses it stops working.">
    ${csrfField(request.csrf)}<button type="submit" class="danger" aria-label="Revoke ${token.name}">Revoke</button></form>`;
  return [
    html`<strong>${token.name}</strong><br><code>${token.token_id}</code>`,
    token.scopes === null
      ? unscopedWords(role ? request.deps.scopes[role] : null)
      : scopeWords(token.scopes),
    statusWords(token, context.now),
    lastUseWords(token),
    ...(context.all
      ? [
          html`${personWords(context.users, token.user_id)}${
            token.created_by === token.user_id
              ? ''
              : html`<br>made by ${personWords(context.users, token.created_by)}`
          }`,
        ]
      : []),
    revoke,
  ];
};
