import { GatehouseError } from '../../core/errors';
import { ROLES, type Role } from '../../core/roles';
import {
  approveUser,
  createUser,
  deleteUser,
  listUsers,
  loadUser,
  rejectUser,
  resetPassword,
  updateUser,
} from '../../core/user-management';
import {
  assertCanCreate,
  assertCanDelete,
  assertCanEdit,
  assertCanManage,
  assertCanSetRole,
  assertCanSetStatus,
} from '../../core/user-policy';
import { type PublicUser, toPublicUser, type UserRecord, type UserStatus } from '../../core/users';
import type { HttpResult } from '../../http/responses';
import { CreateUserBody, UpdateUserBody } from '../../http/schemas';
import { checked, given } from '../forms';
import { type Html, html } from '../html';
import { alert, csrfField, field, layout, onceField } from '../layout';
import {
  assertFirstPost,
  type PageAction,
  type PageRequest,
  page,
  seeOther,
} from '../page-handler';
import {
  auditPage,
  type ConsoleActor,
  consoleAction,
  formError,
  pager,
  queryPath,
  timeTag,
} from './console-audit';

const PAGE_SIZE = 50;
const STATUSES: readonly UserStatus[] = ['active', 'pending', 'disabled', 'unverified'];
/** What a form answers next to itself: bad input, a taken email, the role ceiling. */
const FORM_ERRORS = ['record_invalid', 'conflict', 'forbidden'] as const;

/**
 * Notices travel as keys, not text, so a crafted link cannot put words in the console's
 * mouth.
 */
const NOTICES = {
  created: 'User added.',
  invited: 'Invitation created: the user stays pending until approved.',
  saved: 'Changes saved.',
  unchanged: 'Nothing to change.',
  password: 'Password set. Every session of this user has ended.',
  approved: 'User approved: they can sign in now.',
  rejected: 'Request rejected: the user is deleted.',
  deleted: 'User deleted.',
} as const;
type Notice = keyof typeof NOTICES;

const noticeOf = (request: PageRequest) => {
  const key = request.query.get('notice');
  return key && Object.hasOwn(NOTICES, key) ? NOTICES[key as Notice] : null;
};

const usersPath = (notice?: Notice) => queryPath('/console/users', { notice });
const userPath = (id: string, notice?: Notice) =>
  queryPath(`/console/users/${encodeURIComponent(id)}`, { notice });
/** A POST-only route's sign-in goes back to the user's page, which a browser can GET. */
const backToUser = (request: PageRequest) => userPath(request.params.id as string);

/** Why a core policy check refuses, or null: the pages offer only what the core allows. */
const refusal = (check: () => void): string | null => {
  try {
    check();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};
const allows = (check: () => void) => refusal(check) === null;

// The policy reads only a target's id and role, which a listed user carries.
const asTarget = (user: PublicUser) => user as unknown as UserRecord;

const select = (
  label: string,
  name: string,
  id: string,
  options: readonly (readonly [string, string])[],
  selected: string | null | undefined,
) => html`<label for="${id}">${label}</label>
<select id="${id}" name="${name}">${options.map(
  ([value, text]) =>
    html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${text}</option>`,
)}</select>`;

const postButton = (
  action: string,
  csrf: string,
  text: string,
  options: { label?: string; kind?: 'secondary' | 'danger'; confirm?: string } = {},
) =>
  html`<form method="post" action="${action}" class="inline"${
    options.confirm ? html` data-confirm="${options.confirm}"` : ''
  }>${csrfField(csrf)}<button type="submit"${options.kind ? html` class="${options.kind}"` : ''}${
    options.label ? html` aria-label="${options.label}"` : ''
  }>${text}</button></form>`;

const pendingButtons = (request: PageRequest, user: { id: string; email: string }) => {
  const path = `/console/users/${encodeURIComponent(user.id)}`;
  return html`${postButton(`${path}/approve`, request.csrf, 'Approve', {
    label: `Approve ${user.email}`,
  })} ${postButton(`${path}/reject`, request.csrf, 'Reject', {
    label: `Reject ${user.email}`,
    kind: 'secondary',
    confirm: 'Reject this request? The user is deleted.',
  })}`;
};

interface Problem {
  /** The form the message belongs beside. */
  at: 'add' | 'edit' | 'password' | 'filter';
  message: string;
  status: number;
}

const consolePage = (request: PageRequest, actor: ConsoleActor, title: string, body: Html) =>
  layout({ title, body, user: actor.user, csrf: request.csrf });

// --- the list ---

const listFilters = (query: URLSearchParams) => {
  const q = given(query, 'q');
  const role = given(query, 'role');
  const status = given(query, 'status');
  if (q && q.length > 254) throw new GatehouseError('record_invalid', 'q: at most 254 characters.');
  if (role && !(ROLES as readonly string[]).includes(role)) {
    throw new GatehouseError('record_invalid', `role: one of ${ROLES.join(', ')}.`);
  }
  if (status && !(STATUSES as readonly string[]).includes(status)) {
    throw new GatehouseError('record_invalid', `status: one of ${STATUSES.join(', ')}.`);
  }
  return { q, role: role as Role | undefined, status: status as UserStatus | undefined };
};

const usersTable = (request: PageRequest, actor: ConsoleActor, users: PublicUser[]) =>
  users.length === 0
    ? html`<p>No users match.</p>`
    : html`<div class="table-wrap"><table>
<caption>Users</caption>
<thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Last sign-in</th><th scope="col">Actions</th></tr></thead>
<tbody>${users.map(
        (user) => html`<tr>
<td><a href="${userPath(user.id)}">${user.email}</a></td>
<td>${user.name ?? ''}</td>
<td>${user.role}</td>
<td><span class="badge">${user.status}</span></td>
<td>${user.type}</td>
<td>${timeTag(user.last_sign_in_at)}</td>
<td>${
          user.status === 'pending' && allows(() => assertCanManage(actor, asTarget(user)))
            ? pendingButtons(request, user)
            : ''
        }</td>
</tr>`,
      )}</tbody>
</table></div>`;

/** Only owners add users, and an owner may give any role. */
const addUserForm = (request: PageRequest, problem: Problem | null) => {
  const values = problem?.at === 'add' ? request.form : new URLSearchParams();
  const { passwordMinLength } = request.deps.config;
  return html`<section aria-labelledby="add-user-heading">
<h2 id="add-user-heading">Add a user</h2>
${alert(problem?.at === 'add' ? problem.message : null)}
<form method="post" action="/console/users" class="grid">
${csrfField(request.csrf)}
${field('Email', 'email', { type: 'email', autocomplete: 'off', value: values.get('email'), hint: 'Required for people; machine users get one made up.' })}
${field('Name', 'name', { autocomplete: 'off', value: values.get('name') })}
${field('Username', 'username', { autocomplete: 'off', value: values.get('username'), hint: 'Optional.' })}
${select(
  'Role',
  'role',
  'new-role',
  ROLES.map((role) => [role, role] as const),
  values.get('role') ?? 'viewer',
)}
${select(
  'Type',
  'type',
  'new-type',
  [
    ['human', 'Human'],
    ['machine', 'Machine (API tokens only)'],
  ],
  values.get('type'),
)}
${select(
  'Status',
  'status',
  'new-status',
  [
    ['active', 'Active'],
    ['pending', 'Pending (an invitation awaiting approval)'],
  ],
  values.get('status'),
)}
${field('Password', 'password', {
  type: 'password',
  autocomplete: 'new-password',
  hint: `Optional, at least ${passwordMinLength} characters. Without one, the user signs in with SSO or after a reset. Machine users have none.`,
})}
<button type="submit">Add user</button>
</form>
</section>`;
};

const usersList = async (
  request: PageRequest,
  actor: ConsoleActor,
  problem: Problem | null = null,
): Promise<HttpResult> => {
  const { query } = request;
  let results: Html;
  let filterProblem: Problem | null = null;
  try {
    const filters = listFilters(query);
    const cursor = given(query, 'cursor');
    const listing = await listUsers(request.deps, {
      limit: PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
      ...(filters.q ? { q: filters.q } : {}),
      ...(filters.role ? { role: filters.role } : {}),
      ...(filters.status ? { status: filters.status } : {}),
    });
    const next = listing.next_cursor ?? undefined;
    results = html`${usersTable(request, actor, listing.users)}
${pager('/console/users', filters, cursor, next)}`;
  } catch (error) {
    const found = formError(error, ['record_invalid']);
    if (!found) throw error;
    filterProblem = { at: 'filter', ...found };
    results = html``;
  }
  const shown = problem ?? filterProblem;
  const canAdd = allows(() => assertCanCreate(actor));
  const body = html`${alert(noticeOf(request), 'notice')}
${alert(shown && (shown.at === 'filter' || (shown.at === 'add' && !canAdd)) ? shown.message : null)}
<form method="get" action="/console/users" class="grid" role="search" aria-label="Find users">
${field('Search', 'q', { type: 'search', value: query.get('q'), hint: 'The start of an email, username or name' })}
${select(
  'Role',
  'role',
  'filter-role',
  [['', 'Any role'], ...ROLES.map((role) => [role, role] as const)],
  query.get('role'),
)}
${select(
  'Status',
  'status',
  'filter-status',
  [['', 'Any status'], ...STATUSES.map((status) => [status, status] as const)],
  query.get('status'),
)}
<button type="submit">Search</button>
</form>
${results}
${canAdd ? addUserForm(request, shown) : ''}`;
  return page(shown?.status ?? 200, consolePage(request, actor, 'Users', body));
};

export const usersListPage: PageAction = consoleAction('users:read', (request, actor) =>
  usersList(request, actor),
);

export const usersCreateSubmit: PageAction = consoleAction(
  'users:write',
  async (request, actor) => {
    const { form } = request;
    try {
      const input = checked(CreateUserBody, {
        ...Object.fromEntries(
          ['email', 'username', 'name', 'role', 'type', 'status'].flatMap((name) => {
            const value = given(form, name);
            return value === undefined ? [] : [[name, value]];
          }),
        ),
        // A password is taken as typed: spaces are characters too.
        ...(form.get('password') ? { password: form.get('password') } : {}),
      });
      const user = await createUser(request.deps, actor, input, request.meta);
      return seeOther(userPath(user.id, user.status === 'pending' ? 'invited' : 'created'));
    } catch (error) {
      const found = formError(error, FORM_ERRORS);
      if (!found) throw error;
      return usersList(request, actor, { at: 'add', ...found });
    }
  },
);

// --- one user ---

const userFacts = (user: UserRecord) => {
  const attributes = Object.entries(user.attributes);
  const shown = toPublicUser(user);
  return html`<dl>
<dt>Email</dt><dd>${user.email} <span class="badge">${shown.email_verified ? 'proven' : 'unproven'}</span></dd>
<dt>Identities</dt><dd>${
    shown.identities.length
      ? html`<ul>${shown.identities.map(
          (i) =>
            html`<li><code>${i.provider}</code> ${i.subject} (linked ${timeTag(i.linked_at)})</li>`,
        )}</ul>`
      : '—'
  }</dd>
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

/** Roles the actor may move the target to; the current one always, so the select shows it. */
const assignableRoles = (actor: ConsoleActor, target: UserRecord) =>
  ROLES.filter(
    (role) => role === target.role || allows(() => assertCanSetRole(actor, target, role)),
  );

const editForm = (
  request: PageRequest,
  actor: ConsoleActor,
  target: UserRecord,
  problem: Problem | null,
) => {
  const values = problem?.at === 'edit' ? request.form : null;
  const value = (name: 'name' | 'username' | 'email') => values?.get(name) ?? target[name];
  const roles = assignableRoles(actor, target);
  const statusEditable =
    (target.status === 'active' || target.status === 'disabled') &&
    allows(() => assertCanSetStatus(actor, target));
  return html`<section aria-labelledby="edit-heading">
<h2 id="edit-heading">Edit</h2>
${alert(problem?.at === 'edit' ? problem.message : null)}
<form method="post" action="${userPath(target.id)}" class="grid">
${csrfField(request.csrf)}
${field('Name', 'name', { autocomplete: 'off', value: value('name') })}
${field('Username', 'username', { autocomplete: 'off', value: value('username') })}
${field('Email', 'email', { type: 'email', autocomplete: 'off', required: true, value: value('email') })}
${
  roles.length > 1
    ? select(
        'Role',
        'role',
        'edit-role',
        roles.map((role) => [role, role] as const),
        values?.get('role') ?? target.role,
      )
    : ''
}
${
  statusEditable
    ? select(
        'Status',
        'status',
        'edit-status',
        [
          ['active', 'Active'],
          ['disabled', 'Disabled (cannot sign in)'],
        ],
        values?.get('status') ?? target.status,
      )
    : ''
}
<button type="submit">Save changes</button>
</form>
<p class="hint">A role or status change ends the user’s sessions. Empty fields are left as they are.</p>
</section>`;
};

const passwordForm = (request: PageRequest, target: UserRecord, problem: Problem | null) =>
  html`<section aria-labelledby="password-heading">
<h2 id="password-heading">Reset password</h2>
${alert(problem?.at === 'password' ? problem.message : null)}
<form method="post" action="${userPath(target.id)}/password">${onceField()}
${csrfField(request.csrf)}
${field('New password', 'password', {
  type: 'password',
  autocomplete: 'new-password',
  hint: `Leave empty to generate a strong one, shown once; a chosen one needs at least ${request.deps.config.passwordMinLength} characters. Every session of the user ends.`,
})}
<button type="submit">Reset password</button>
</form>
</section>`;

/** A generated password, shown this once; app.js copies it. */
const generatedPasswordNote = (password: string) =>
  html`<section aria-labelledby="generated-heading" class="notice" role="status">
<h2 id="generated-heading">New password</h2>
<p>Shown only now: copy it and pass it on safely. Every session of the user has ended.</p>
<p><code id="generated-password">${password}</code> <button type="button" data-copy="#generated-password">Copy</button></p>
</section>`;

const userDetail = (
  request: PageRequest,
  actor: ConsoleActor,
  target: UserRecord,
  options: { problem?: Problem; generatedPassword?: string } = {},
): HttpResult => {
  const problem = options.problem ?? null;
  const self = actor.user.id === target.id;
  const editRefusal = refusal(() => assertCanEdit(actor, target));
  const canEdit = editRefusal === null;
  const canReset = canEdit && target.type === 'human';
  const canManage = allows(() => assertCanManage(actor, target));
  const canDelete = allows(() => assertCanDelete(actor, target));
  // A refusal whose form is not on the page (a crafted post) is shown at the top.
  const stray =
    problem && !((problem.at === 'edit' && canEdit) || (problem.at === 'password' && canReset))
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
${
  target.status === 'pending' && canManage && !self
    ? html`<section aria-labelledby="pending-heading"><h2 id="pending-heading">Waiting for approval</h2>
<div>${pendingButtons(request, target)}</div></section>`
    : ''
}
${
  self
    ? html`<p class="hint">This is you: change your profile and password on <a href="/console">your profile page</a>. Nobody changes their own role or status.</p>`
    : canEdit
      ? editForm(request, actor, target, problem)
      : html`<p class="hint">${editRefusal}</p>`
}
${canReset ? passwordForm(request, target, problem) : ''}
${
  canDelete
    ? html`<section aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete</h2>
<form method="post" action="${userPath(target.id)}/delete" data-confirm="Delete this user?">
${csrfField(request.csrf)}
<p class="hint">The user, their sessions and their sign-in end for good.</p>
<button type="submit" class="danger">Delete user</button>
</form>
</section>`
    : ''
}`;
  return page(problem?.status ?? 200, consolePage(request, actor, target.email, body));
};

const targetId = (request: PageRequest) => request.params.id as string;

export const userDetailPage: PageAction = consoleAction('users:read', async (request, actor) =>
  userDetail(request, actor, await loadUser(request.deps, targetId(request))),
);

/** Only what the form changes: a field left empty or as it was is not sent. */
const changesFrom = (form: URLSearchParams, target: UserRecord) => {
  const changes: Record<string, string> = {};
  for (const name of ['name', 'username', 'email', 'role', 'status'] as const) {
    const value = given(form, name);
    if (value !== undefined && value !== (target[name] ?? '')) changes[name] = value;
  }
  return Object.keys(changes).length ? checked(UpdateUserBody, changes) : null;
};

export const userUpdateSubmit: PageAction = consoleAction('users:write', async (request, actor) => {
  const target = await loadUser(request.deps, targetId(request));
  try {
    const changes = changesFrom(request.form, target);
    if (!changes) return seeOther(userPath(target.id, 'unchanged'));
    await updateUser(request.deps, actor, target.id, changes, request.meta);
    return seeOther(userPath(target.id, 'saved'));
  } catch (error) {
    const found = formError(error, FORM_ERRORS);
    if (!found) throw error;
    return userDetail(request, actor, target, { problem: { at: 'edit', ...found } });
  }
});

export const userPasswordSubmit: PageAction = consoleAction(
  'users:write',
  async (request, actor) => {
    const target = await loadUser(request.deps, targetId(request));
    try {
      await assertFirstPost(request);
      const chosen = request.form.get('password') || undefined;
      const { generatedPassword } = await resetPassword(
        request.deps,
        actor,
        target.id,
        chosen,
        request.meta,
      );
      // A generated password can travel only in this answer; a chosen one needs no showing.
      if (generatedPassword === undefined) return seeOther(userPath(target.id, 'password'));
      return userDetail(request, actor, await loadUser(request.deps, target.id), {
        generatedPassword,
      });
    } catch (error) {
      const found = formError(error, FORM_ERRORS);
      if (!found) throw error;
      return userDetail(request, actor, target, { problem: { at: 'password', ...found } });
    }
  },
  backToUser,
);

export const userApproveSubmit: PageAction = consoleAction(
  'users:write',
  async (request, actor) => {
    await approveUser(request.deps, actor, targetId(request), request.meta);
    return seeOther(usersPath('approved'));
  },
  backToUser,
);

export const userRejectSubmit: PageAction = consoleAction(
  'users:write',
  async (request, actor) => {
    await rejectUser(request.deps, actor, targetId(request), request.meta);
    return seeOther(usersPath('rejected'));
  },
  backToUser,
);

export const userDeleteSubmit: PageAction = consoleAction(
  'users:write',
  async (request, actor) => {
    await deleteUser(request.deps, actor, targetId(request), request.meta);
    return seeOther(usersPath('deleted'));
  },
  backToUser,
);

/** The users and audit pages, by page route key (src/web/routes.ts). */
export const consoleUsersActions: Record<string, PageAction> = {
  'GET /console/users': usersListPage,
  'POST /console/users': usersCreateSubmit,
  'GET /console/users/{id}': userDetailPage,
  'POST /console/users/{id}': userUpdateSubmit,
  'POST /console/users/{id}/password': userPasswordSubmit,
  'POST /console/users/{id}/approve': userApproveSubmit,
  'POST /console/users/{id}/reject': userRejectSubmit,
  'POST /console/users/{id}/delete': userDeleteSubmit,
  'GET /console/audit': auditPage,
};
