import { loadUser } from '../../../core/users/user-management';
import { permissionsFor } from '../../../core/users/user-policy';
import { toPublicUser, type UserRecord } from '../../../core/users/users';
import type { HttpResult } from '../../../http/responses';
import { html } from '../../html';
import { alert } from '../../layout';
import { type PageRequest, page } from '../../page-handler';
import { type ConsoleActor, consoleAction, queryPath, timeTag } from '../console-shared';
import { deleteForm, editForm, passwordForm } from './forms';
import { identitiesSection } from './identities';
import { noticeOf, targetId } from './links';
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

/** One user's page: the forms offered are those permissionsFor allows. */
export const userDetail = (
  request: PageRequest,
  actor: ConsoleActor,
  target: UserRecord,
  options: { problem?: Problem; generatedPassword?: string } = {},
): HttpResult => {
  const problem = options.problem ?? null;
  const self = actor.user.id === target.id;
  const may = permissionsFor(actor, target);
  // A refusal whose form is not on the page (a crafted post) is shown at the top.
  const stray =
    problem &&
    !(
      (problem.at === 'edit' && may.canEdit) ||
      (problem.at === 'password' && may.canResetPassword) ||
      (problem.at === 'unlink' && may.canUnlink)
    )
      ? problem.message
      : null;
  const auditLink = request.deps.scopes[actor.user.role].includes('audit:read')
    ? html` · <a href="${queryPath('/console/audit', { target_id: target.id })}">Audit events</a>`
    : '';
  const body = html`<p><a href="/console/users">All users</a>${auditLink}</p>
${alert(noticeOf(request), 'notice')}
${alert(stray)}
${options.generatedPassword ? generatedPasswordNote(options.generatedPassword) : ''}
${userFacts(target)}
${identitiesSection(request, toPublicUser(target), { canUnlink: may.canUnlink, problem })}
${
  target.status === 'pending' && may.canManage && !self
    ? html`<section aria-labelledby="pending-heading"><h2 id="pending-heading">Waiting for approval</h2>
<div>${pendingButtons(request, target)}</div></section>`
    : ''
}
${
  self
    ? html`<p class="hint">This is you: change your profile and password on <a href="/console">your profile page</a>. Nobody changes their own role or status.</p>`
    : may.canEdit
      ? editForm(request, target, may, problem)
      : html`<p class="hint">${may.whyNotEdit}</p>`
}
${may.canResetPassword ? passwordForm(request, target, problem) : ''}
${may.canDelete ? deleteForm(request, target) : ''}`;
  return page(problem?.status ?? 200, consolePage(request, actor, target.email, body));
};

export const userDetailPage = consoleAction('users:read', async (request, actor) =>
  userDetail(request, actor, await loadUser(request.deps, targetId(request))),
);
