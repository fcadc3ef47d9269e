import { loadUser } from '../../../core/users/user-management';
import { userOverview } from '../../../core/users/user-overview';
import { toPublicUser, type UserRecord } from '../../../core/users/users';
import type { HttpResult } from '../../../http/responses';
import { html } from '../../html';
import { alert } from '../../layout';
import { type PageRequest, page } from '../../page-handler';
import { type ConsoleActor, consoleAction, timeTag } from '../console-shared';
import { eventsSection, lockSection } from './activity';
import { factorsSection, grantsSection, tokensSection } from './credentials';
import { deleteForm, editForm, passwordForm } from './forms';
import { identitiesSection } from './identities';
import { noticeOf, targetId } from './links';
import { sessionsSection } from './sessions';
import { consolePage, type Problem, pendingButtons } from './widgets';

const userFacts = (user: UserRecord) => {
  const attributes = Object.entries(user.attributes);
  const shown = toPublicUser(user);
  return html`<dl>
<dt>Email</dt><dd>${user.email} <span class="badge">${shown.email_verified ? 'proven' : 'unproven'}</span></dd>
<dt>Username</dt><dd>${user.username ?? '—'}</dd>
<dt>Name</dt><dd>${user.name ?? '—'}</dd>
<dt>Role</dt><dd>${user.role}</dd>
<dt>Status</dt><dd><span class="badge">${user.status}</span></dd>
<dt>Type</dt><dd>${user.type}</dd>
<dt>Groups</dt><dd>${user.groups.length ? user.groups.join(', ') : '—'}</dd>
${
  attributes.length
    ? html`<dt>Attributes</dt><dd><ul>${attributes.map(
        ([key, value]) => html`<li><code>${key}</code>: ${value}</li>`,
      )}</ul></dd>`
    : ''
}
<dt>Created</dt><dd>${timeTag(shown.created_at)}</dd>
<dt>Last sign-in</dt><dd>${timeTag(shown.last_sign_in_at)}</dd>
<dt>Id</dt><dd><code>${user.id}</code></dd>
</dl>`;
};

/** A generated password, shown this once; app.js copies it. */
const generatedPasswordNote = (password: string) =>
  html`<section aria-labelledby="generated-heading" class="notice" role="status">
<h2 id="generated-heading">New password</h2>
<p>Shown only now: copy it and pass it on safely. Every session of the user has ended.</p>
<p><code id="generated-password">${password}</code> <button type="button" data-copy="#generated-password">Copy</button></p>
</section>`;

/** Role, status and type as badges in words (never colour alone). */
const badges = (user: UserRecord) =>
  html`<p class="user-badges">${user.name ? html`<strong>${user.name}</strong> ` : ''}<span class="badge">Role: ${user.role}</span> <span class="badge">Status: ${user.status}</span> <span class="badge">Type: ${user.type}</span></p>`;

/** One user's page: every action offered is one userPermissions allows (each POST decides again). */
export const userDetail = async (
  request: PageRequest,
  actor: ConsoleActor,
  target: UserRecord,
  options: { problem?: Problem; generatedPassword?: string } = {},
): Promise<HttpResult> => {
  const problem = options.problem ?? null;
  const self = actor.user.id === target.id;
  const overview = await userOverview(request.deps, actor, target.id);
  const { user } = overview;
  const may = overview.permissions;
  // A refusal whose form is not on the page (a crafted post, a button's action) goes on top.
  const stray =
    problem &&
    !(
      (problem.at === 'edit' && may.editProfile.allowed) ||
      (problem.at === 'password' && may.resetPassword.allowed) ||
      (problem.at === 'unlink' && may.unlink.allowed)
    )
      ? problem.message
      : null;
  const body = html`<p><a href="/console/users">All users</a></p>
${badges(user)}
${alert(noticeOf(request), 'notice')}
${alert(stray)}
${options.generatedPassword ? generatedPasswordNote(options.generatedPassword) : ''}
${lockSection(request, overview)}
<section aria-labelledby="profile-heading">
<h2 id="profile-heading">Profile</h2>
${userFacts(user)}
</section>
${
  user.status === 'pending' && may.decidePending.allowed
    ? html`<section aria-labelledby="pending-heading"><h2 id="pending-heading">Waiting for approval</h2>
<div>${pendingButtons(request, user)}</div></section>`
    : ''
}
${
  self
    ? html`<p class="hint">This is you: change your profile and password on <a href="/console">your profile page</a>. Nobody changes their own role or status.</p>`
    : may.editProfile.allowed
      ? editForm(request, user, may, problem)
      : html`<p class="hint">${may.editProfile.why}</p>`
}
${sessionsSection(request, user.id, overview.sessions, {
  canSignOut: may.signOut.allowed,
  more: overview.moreSessions,
})}
${tokensSection(request, overview)}
${factorsSection(request, overview)}
${identitiesSection(request, toPublicUser(user), { canUnlink: may.unlink.allowed, problem })}
${grantsSection(overview)}
${eventsSection(request, overview)}
${may.resetPassword.allowed ? passwordForm(request, user, problem) : ''}
${may.delete.allowed ? deleteForm(request, user) : ''}`;
  return page(problem?.status ?? 200, consolePage(request, actor, user.email, body));
};

export const userDetailPage = consoleAction('users:read', async (request, actor) =>
  userDetail(request, actor, await loadUser(request.deps, targetId(request))),
);
