import { describeScope } from '../../core/oauth/oauth-scopes';
import { sessionGrants } from '../../core/sessions/mfa-policy';
import { isGatehouseError } from '../../core/shared/errors';
import { createApiToken, listApiTokenViews, revokeApiToken } from '../../core/tokens/api-tokens';
import { isAtLeast } from '../../core/users/roles';
import { usersWithIds } from '../../core/users/user-listing';
import type { UserRecord } from '../../core/users/users';
import { pageRefusal } from '../../http/error-answer';
import { CreateTokenBody } from '../../http/schemas';
import { checked, given } from '../forms';
import { html } from '../html';
import { alert, csrfField, field, layout, onceField } from '../layout';
import { noticeText, withNotice } from '../notices';
import {
  assertFirstPost,
  type PageAction,
  type PageRequest,
  page,
  seeOther,
} from '../page-handler';
import { stackTable } from '../tables';
import { signedInActor } from './console';
import { pager } from './console-shared';
import { tokenColumns, tokenRow } from './console-token-rows';

const FORM_ERRORS = new Set(['record_invalid', 'conflict', 'forbidden', 'too_many_attempts']);

/** The create form: each scope the user holds, ticked by name, with its words beside it. */
const createForm = (request: PageRequest, grants: readonly string[]) => html`
<section aria-labelledby="new-token-heading">
<h2 id="new-token-heading">New token</h2>
<form method="post" action="/console/tokens">
  ${csrfField(request.csrf)}${onceField()}
  ${field('Name', 'name', { required: true, hint: 'What the token is for, e.g. "CI pipeline".' })}
  ${field('Expires in (days)', 'expires_in_days', { type: 'number', hint: 'Empty: a scoped token lives as long as allowed; an unscoped one never expires.' })}
  <fieldset>
    <legend>Scopes (none ticked: an unscoped token that can do everything you can, as your role changes)</legend>
    <div class="choices">
    ${grants.map(
      (scope) => html`<div class="choice">
      <input type="checkbox" id="scope-${scope}" name="scopes" value="${scope}" aria-describedby="scope-${scope}-words">
      <label for="scope-${scope}"><code>${scope}</code></label>
      <small id="scope-${scope}-words">${describeScope(scope)}</small>
    </div>`,
    )}
    </div>
  </fieldset>
  <label class="check"><input type="checkbox" name="renewable" value="true"> Renewable</label>
  <button type="submit">Create token</button>
</form>
</section>`;

const tokensBody = async (
  request: PageRequest,
  user: UserRecord,
  options: { error?: string; created?: { token: string; name: string } } = {},
) => {
  const actor = { kind: 'user' as const, user, tokenId: null };
  const admin = isAtLeast(user.role, 'admin');
  const all = admin && request.query.get('all') === 'true';
  const cursor = request.query.get('cursor') ?? undefined;
  // Revoked tokens stay listed, marked so, as the API's include_revoked shows them.
  const listing = await listApiTokenViews(request.deps, actor, {
    all,
    include_revoked: true,
    ...(cursor ? { cursor } : {}),
    limit: 50,
  });
  // Owners and creators by name: only in the every-token view, which needs admin anyway.
  const people = all
    ? await usersWithIds(
        request.deps,
        listing.tokens.flatMap((t) => [t.user_id, t.created_by]),
      )
    : [];
  const users = new Map(people.map((person) => [person.id, person]));
  const roleOf = (id: string) => (id === user.id ? user.role : (users.get(id)?.role ?? null));
  const now = request.deps.clock.now();
  const created = options.created
    ? html`<div class="notice secret" role="status">
  <p>Your new token <strong>${options.created.name}</strong>. Copy it now: it is shown this once.</p>
  <p><code id="new-token">${options.created.token}</code>
  <button type="button" data-copy="#new-token">Copy</button></p>
</div>`
    : '';
  const table = stackTable({
    caption: all ? 'Every API token in the workspace' : 'Your API tokens',
    columns: tokenColumns(all),
    rows: listing.tokens.map((token) => tokenRow(token, { request, all, now, users, roleOf })),
    empty: 'No tokens yet.',
  });
  return html`${created}${alert(options.error)}${alert(noticeText(request.query.get('notice')), 'notice')}
${createForm(request, request.deps.scopes[user.role])}
<section aria-labelledby="tokens-heading">
<h2 id="tokens-heading">${all ? 'Every token' : 'Your tokens'}</h2>
${admin ? html`<p><a href="/console/tokens${all ? '' : '?all=true'}">${all ? 'Show only yours' : 'Show every token'}</a></p>` : ''}
${table}
${pager('/console/tokens', { all: all ? 'true' : undefined }, cursor, listing.next_cursor ?? undefined)}
</section>`;
};

const tokensLayout = async (
  request: PageRequest,
  user: UserRecord,
  options?: Parameters<typeof tokensBody>[2],
) =>
  layout({
    title: 'API tokens',
    body: await tokensBody(request, user, options),
    user,
    csrf: request.csrf,
    path: request.path,
    wide: true,
  });

export const tokensPage: PageAction = async (request) => {
  const who = signedInActor(request);
  return page(200, await tokensLayout(request, who.user));
};

export const tokenCreateSubmit: PageAction = async (request) => {
  const who = signedInActor(request);
  const { form } = request;
  const scopes = form.getAll('scopes');
  const days = Number(form.get('expires_in_days') || 0);
  try {
    await assertFirstPost(request);
    const created = await createApiToken(
      request.deps,
      who.actor,
      sessionGrants(request.deps, who.user, who.session),
      checked(CreateTokenBody, {
        name: given(form, 'name') ?? '',
        ...(scopes.length ? { scopes } : {}),
        ...(days > 0 ? { expires_in: Math.round(days * 86_400) } : {}),
        renewable: form.get('renewable') === 'true',
      }),
      request.meta,
      { sid: who.session.sid, tokenId: null },
    );
    return page(
      201,
      await tokensLayout(request, who.user, {
        created: { token: created.token, name: created.name },
      }),
    );
  } catch (error) {
    if (isGatehouseError(error) && FORM_ERRORS.has(error.code)) {
      return pageRefusal(error, await tokensLayout(request, who.user, { error: error.message }));
    }
    throw error;
  }
};

export const tokenRevokeSubmit: PageAction = async (request) => {
  const who = signedInActor(request);
  await revokeApiToken(request.deps, who.actor, request.params.token_id ?? '', request.meta);
  return seeOther(withNotice('/console/tokens', 'token_revoked'));
};
