import { ROLES } from '../../../core/users/roles';
import type { UserPermissions } from '../../../core/users/user-permissions';
import type { UserRecord } from '../../../core/users/users';
import { html } from '../../html';
import { alert, csrfField, field, onceField } from '../../layout';
import type { PageRequest } from '../../page-handler';
import { userPath } from './links';
import { type Problem, select } from './widgets';

/** Only owners add users, and an owner may give any role. */
export const addUserForm = (request: PageRequest, problem: Problem | null) => {
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

/** The role select and status select appear only when the core would accept a change. */
export const editForm = (
  request: PageRequest,
  target: UserRecord,
  permissions: UserPermissions,
  problem: Problem | null,
) => {
  const values = problem?.at === 'edit' ? request.form : null;
  const value = (name: 'name' | 'username' | 'email') => values?.get(name) ?? target[name];
  // The current role and the ones the core allows now, in rank order.
  const roles = ROLES.filter((role) => role === target.role || permissions.roles.includes(role));
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
  permissions.setStatus.allowed
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

export const passwordForm = (request: PageRequest, target: UserRecord, problem: Problem | null) =>
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

export const deleteForm = (request: PageRequest, target: UserRecord) =>
  html`<section aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete</h2>
<form method="post" action="${userPath(target.id)}/delete" data-confirm="Delete this user?">
${csrfField(request.csrf)}
<p class="hint">The user, their sessions and their sign-in end for good.</p>
<button type="submit" class="danger">Delete user</button>
</form>
</section>`;
