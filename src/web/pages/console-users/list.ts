import { ROLES } from '../../../core/users/roles';
import { ListUsersQuery, listUsers, USER_STATUSES } from '../../../core/users/user-listing';
import { canCreateUsers, permissionsFor } from '../../../core/users/user-policy';
import type { PublicUser } from '../../../core/users/users';
import type { HttpResult } from '../../../http/responses';
import { checked, given } from '../../forms';
import { type Html, html } from '../../html';
import { alert, field } from '../../layout';
import { type PageRequest, page } from '../../page-handler';
import { stackTable } from '../../tables';
import { type ConsoleActor, consoleAction, formError, pager, timeTag } from '../console-shared';
import { addUserForm } from './forms';
import { noticeOf, userPath } from './links';
import { consolePage, type Problem, pendingButtons, select } from './widgets';

const PAGE_SIZE = 50;

/** The search form's values, checked as GET /users checks them (the core's ListUsersQuery). */
const listQuery = (query: URLSearchParams): ListUsersQuery =>
  checked(ListUsersQuery, {
    limit: PAGE_SIZE,
    q: given(query, 'q'),
    role: given(query, 'role'),
    status: given(query, 'status'),
    cursor: given(query, 'cursor'),
  });

const usersTable = (request: PageRequest, actor: ConsoleActor, users: PublicUser[]) =>
  stackTable({
    caption: 'Users',
    columns: [
      { label: 'Email' },
      { label: 'Name' },
      { label: 'Role', width: 'xs' },
      { label: 'Status', width: 's' },
      { label: 'Type', width: 'xs' },
      { label: 'Last sign-in', width: 's' },
      { label: 'Actions', width: 'm' },
    ],
    rows: users.map((user) => [
      html`<a href="${userPath(user.id)}">${user.email}</a>`,
      user.name ?? '',
      user.role,
      html`<span class="badge">${user.status}</span>`,
      user.type,
      timeTag(user.last_sign_in_at),
      user.status === 'pending' && permissionsFor(actor, user).canManage
        ? pendingButtons(request, user)
        : '',
    ]),
    empty: 'No users match.',
  });

/** The users page; `problem` is a refused add, shown beside its form (or at the top). */
export const usersList = async (
  request: PageRequest,
  actor: ConsoleActor,
  problem: Problem | null = null,
): Promise<HttpResult> => {
  const { query } = request;
  let results: Html;
  let filterProblem: Problem | null = null;
  try {
    const listing = listQuery(query);
    const found = await listUsers(request.deps, listing);
    const { q, role, status, cursor } = listing;
    results = html`${usersTable(request, actor, found.users)}
${pager('/console/users', { q, role, status }, cursor, found.next_cursor ?? undefined)}`;
  } catch (error) {
    const found = formError(error, ['record_invalid']);
    if (!found) throw error;
    filterProblem = { at: 'filter', ...found };
    results = html``;
  }
  const shown = problem ?? filterProblem;
  const canAdd = canCreateUsers(actor);
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
  [['', 'Any status'], ...USER_STATUSES.map((status) => [status, status] as const)],
  query.get('status'),
)}
<button type="submit">Search</button>
</form>
${results}
${canAdd ? addUserForm(request, shown) : ''}`;
  return page(shown?.status ?? 200, consolePage(request, actor, 'Users', body));
};

export const usersListPage = consoleAction('users:read', (request, actor) =>
  usersList(request, actor),
);
