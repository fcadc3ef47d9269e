import { changeOwnPassword, updateOwnProfile } from '../../core/account/account';
import { sessionGrants } from '../../core/sessions/mfa-policy';
import { sessionAmr, sessionAuthTime } from '../../core/sessions/sessions';
import { isGatehouseError } from '../../core/shared/errors';
import { createApiToken, listApiTokens, revokeApiToken } from '../../core/tokens/api-tokens';
import { toPublicUser, type UserRecord } from '../../core/users/users';
import { pageRefusal } from '../../http/error-answer';
import { ChangePasswordBody, CreateTokenBody, UpdateMeBody } from '../../http/schemas';
import { checked, given } from '../forms';
import { type Html, html } from '../html';
import { alert, csrfField, field, layout, onceField } from '../layout';
import { mfaRequiredWalk } from '../mfa/enrol-walk';
import { noticeText, withNotice } from '../notices';
import {
  assertFirstPost,
  type PageAction,
  type PageRequest,
  page,
  Redirect,
  seeOther,
} from '../page-handler';
import { currentPath, signInRedirect } from './auth';
import { grantsSection } from './console-grants';
import { mfaSection } from './console-mfa';
import { timeTag } from './console-shared';
import { identitiesSection } from './console-users/identities';

/** The signed-in user as the core's actor; without a session, off to sign in first. */
export const signedInActor = (request: PageRequest) => {
  if (!request.signedIn) throw new Redirect(signInRedirect(request.deps, currentPath(request)));
  const { user, session } = request.signedIn;
  const origin = session.origin ?? 'unknown';
  return { actor: { kind: 'user' as const, user, tokenId: null, origin }, user, session };
};

const FORM_ERRORS = new Set(['record_invalid', 'conflict', 'forbidden', 'too_many_attempts']);

const consolePage = (request: PageRequest, user: UserRecord, title: string, body: Html) =>
  layout({ title, body, user, csrf: request.csrf });

const profileBody = (request: PageRequest, user: UserRecord, error?: string) => html`
${alert(error)}${alert(noticeText(request.query.get('notice')), 'notice')}
<section aria-labelledby="profile-heading">
<h2 id="profile-heading">Profile</h2>
<p>Signed in as <strong>${user.email}</strong> · role <span class="badge">${user.role}</span></p>
<form method="post" action="/console/profile" class="grid">
  ${csrfField(request.csrf)}
  ${field('Name', 'name', { value: user.name, autocomplete: 'name' })}
  ${field('Username', 'username', { value: user.username, autocomplete: 'username' })}
  ${field('Email', 'email', { type: 'email', value: user.email, autocomplete: 'email', hint: 'A new address applies once you open the link mailed to it.' })}
  ${field('Password (for a new email)', 'password', { type: 'password', autocomplete: 'current-password', hint: 'Needed for a new email, unless you signed in a few minutes ago.' })}
  <button type="submit">Save profile</button>
</form>
</section>
<section aria-labelledby="password-heading">
<h2 id="password-heading">Password</h2>
<form method="post" action="/console/password" class="grid">
  ${csrfField(request.csrf)}
  ${field('Current password', 'current_password', { type: 'password', autocomplete: 'current-password', required: true })}
  ${field('New password', 'new_password', { type: 'password', autocomplete: 'new-password', required: true, hint: `At least ${request.deps.config.passwordMinLength} characters. Your other sessions end.` })}
  <button type="submit">Change password</button>
</form>
</section>`;

export const accountPage: PageAction = async (request) => {
  const who = signedInActor(request);
  // Your own identities, read-only (only an owner unlinks, from the user's page), if any.
  const shown = toPublicUser(who.user);
  const identities = shown.identities.length
    ? identitiesSection(request, shown, { canUnlink: false, problem: null })
    : '';
  const walk = await mfaRequiredWalk(request, who.user, who.session);
  const body = html`${walk}${profileBody(request, who.user)}${await mfaSection(request, who.user)}${identities}${await grantsSection(request, who.user.id)}`;
  return page(200, consolePage(request, who.user, 'Your account', body));
};

/** Runs a form's work; a refusal re-renders the page with its message next to the form. */
const orRerender = async (
  work: () => Promise<ReturnType<typeof page>>,
  rerender: (message: string) => Html,
) => {
  try {
    return await work();
  } catch (error) {
    if (isGatehouseError(error) && FORM_ERRORS.has(error.code)) {
      return pageRefusal(error, rerender(error.message));
    }
    throw error;
  }
};

export const profileSubmit: PageAction = async (request) => {
  const who = signedInActor(request);
  const { form } = request;
  return orRerender(
    async () => {
      const changes = checked(UpdateMeBody, {
        name: given(form, 'name') ?? null,
        username: given(form, 'username') ?? null,
        ...(given(form, 'email') ? { email: given(form, 'email') } : {}),
      });
      await updateOwnProfile(request.deps, who.actor, changes, request.meta, {
        ...(given(form, 'password') ? { password: given(form, 'password') } : {}),
        authTime: sessionAuthTime(who.session),
        amr: sessionAmr(who.session),
      });
      const moving =
        changes.email !== undefined && changes.email.toLowerCase() !== who.user.emailKey;
      return seeOther(withNotice('/console', moving ? 'email_change_mailed' : 'saved'));
    },
    (message) =>
      consolePage(request, who.user, 'Your account', profileBody(request, who.user, message)),
  );
};

export const passwordSubmit: PageAction = async (request) => {
  const who = signedInActor(request);
  return orRerender(
    async () => {
      await changeOwnPassword(
        request.deps,
        who.actor,
        who.session.sid,
        checked(ChangePasswordBody, {
          current_password: request.form.get('current_password') ?? '',
          new_password: request.form.get('new_password') ?? '',
        }),
        request.meta,
      );
      return seeOther(withNotice('/console', 'password_changed'));
    },
    (message) =>
      consolePage(request, who.user, 'Your account', profileBody(request, who.user, message)),
  );
};

const tokensBody = async (
  request: PageRequest,
  user: UserRecord,
  options: { error?: string; created?: { token: string; name: string } } = {},
) => {
  const actor = { kind: 'user' as const, user, tokenId: null };
  const admin = user.role === 'admin' || user.role === 'owner';
  const all = admin && request.query.get('all') === 'true';
  const cursor = request.query.get('cursor');
  // Revoked tokens stay listed, marked so, as the API's include_revoked shows them.
  const listing = await listApiTokens(request.deps, actor, {
    all,
    include_revoked: true,
    ...(cursor ? { cursor } : {}),
    limit: 50,
  });
  const grants = request.deps.scopes[user.role];
  const created = options.created
    ? html`<div class="notice secret" role="status">
  <p>Your new token <strong>${options.created.name}</strong>. Copy it now: it is shown this once.</p>
  <p><code id="new-token">${options.created.token}</code>
  <button type="button" data-copy="#new-token">Copy</button></p>
</div>`
    : '';
  const rows = listing.tokens.map(
    (t) => html`<tr>
  <td>${t.name}</td><td><code>${t.token_id}</code></td>
  <td>${t.scopes === null ? 'all of the owner’s grants' : t.scopes.join(' ')}</td>
  <td>${timeTag(t.expires_at)}</td><td>${timeTag(t.last_used_at, '—')}</td>
  <td>${
    t.revoked_at
      ? html`revoked ${timeTag(t.revoked_at)}`
      : html`<form method="post" action="/console/tokens/${t.token_id}/revoke" class="inline" data-confirm="Revoke this token? Whatever uses it stops working.">
    ${csrfField(request.csrf)}<button type="submit" class="danger">Revoke</button></form>`
  }</td>
</tr>`,
  );
  return html`${created}${alert(options.error)}${alert(noticeText(request.query.get('notice')), 'notice')}
<section aria-labelledby="new-token-heading">
<h2 id="new-token-heading">New token</h2>
<form method="post" action="/console/tokens">
  ${csrfField(request.csrf)}${onceField()}
  ${field('Name', 'name', { required: true, hint: 'What the token is for, e.g. "CI pipeline".' })}
  ${field('Expires in (days)', 'expires_in_days', { type: 'number', hint: 'Empty: a scoped token lives as long as allowed; an unscoped one never expires.' })}
  <fieldset>
    <legend>Scopes (none ticked: an unscoped token with all your grants)</legend>
    <div class="scopes">
    ${grants.map(
      (scope) =>
        html`<label class="check"><input type="checkbox" name="scopes" value="${scope}"> ${scope}</label>`,
    )}
    </div>
  </fieldset>
  <label class="check"><input type="checkbox" name="renewable" value="true"> Renewable</label>
  <button type="submit">Create token</button>
</form>
</section>
<section aria-labelledby="tokens-heading">
<h2 id="tokens-heading">${all ? 'Every token' : 'Your tokens'}</h2>
${admin ? html`<p><a href="/console/tokens${all ? '' : '?all=true'}">${all ? 'Show only yours' : 'Show every token'}</a></p>` : ''}
<div class="table-wrap"><table>
<caption>${all ? 'Every API token in the workspace' : 'Your API tokens'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Scopes</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="6">No tokens yet.</td></tr>`}</tbody>
</table></div>
${listing.next_cursor ? html`<p><a href="/console/tokens?${new URLSearchParams({ ...(all ? { all: 'true' } : {}), cursor: listing.next_cursor }).toString()}">Next page</a></p>` : ''}
</section>`;
};

export const tokensPage: PageAction = async (request) => {
  const who = signedInActor(request);
  return page(
    200,
    consolePage(request, who.user, 'API tokens', await tokensBody(request, who.user)),
  );
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
      consolePage(
        request,
        who.user,
        'API tokens',
        await tokensBody(request, who.user, {
          created: { token: created.token, name: created.name },
        }),
      ),
    );
  } catch (error) {
    if (isGatehouseError(error) && FORM_ERRORS.has(error.code)) {
      return pageRefusal(
        error,
        consolePage(
          request,
          who.user,
          'API tokens',
          await tokensBody(request, who.user, { error: error.message }),
        ),
      );
    }
    throw error;
  }
};

export const tokenRevokeSubmit: PageAction = async (request) => {
  const who = signedInActor(request);
  await revokeApiToken(request.deps, who.actor, request.params.token_id ?? '', request.meta);
  return seeOther(withNotice('/console/tokens', 'token_revoked'));
};
