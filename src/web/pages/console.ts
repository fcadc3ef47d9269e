import { changeOwnPassword, updateOwnProfile } from '../../core/account/account';
import { sessionAmr, sessionAuthTime } from '../../core/sessions/sessions';
import { isGatehouseError } from '../../core/shared/errors';
import { toPublicUser, type UserRecord } from '../../core/users/users';
import { pageRefusal } from '../../http/error-answer';
import { ChangePasswordBody, UpdateMeBody } from '../../http/schemas';
import { checked, given } from '../forms';
import { type Html, html } from '../html';
import { alert, csrfField, field, layout } from '../layout';
import { mfaRequiredWalk } from '../mfa/enrol-walk';
import { noticeText, withNotice } from '../notices';
import { type PageAction, type PageRequest, page, Redirect, seeOther } from '../page-handler';
import { currentPath, signInRedirect } from './auth';
import { grantsSection } from './console-grants';
import { mfaSection } from './console-mfa';
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
  layout({ title, body, user, csrf: request.csrf, path: request.path });

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
