import { clearLoginLock, clearUserLock, listLockouts } from '../../core/users/user-lockouts';
import type { HttpResult } from '../../http/responses';
import { html } from '../html';
import { alert, csrfField } from '../layout';
import { type PageRequest, page, seeOther } from '../page-handler';
import { type ConsoleActor, consoleAction, formError, timeTag } from './console-shared';
import { userPath } from './console-users/links';
import { consolePage, FORM_ERRORS } from './console-users/widgets';

const NOTICES = {
  cleared: 'Lock cleared: the right password gets in now.',
  notLocked: 'Nothing was cleared: there was no lock (it had ended or was already cleared).',
} as const;

const noticeOf = (request: PageRequest) => {
  const key = request.query.get('notice');
  return key && Object.hasOwn(NOTICES, key) ? NOTICES[key as keyof typeof NOTICES] : null;
};

// A login's lock is posted by its counter's key (from the lock index), never by display text.
const clearForm = (request: PageRequest, field: 'user_id' | 'key', value: string, label: string) =>
  html`<form method="post" action="/console/lockouts/clear" class="inline">${csrfField(request.csrf)}<input type="hidden" name="${field}" value="${value}"><button type="submit" aria-label="Clear lock of ${label}">Clear lock</button></form>`;

/** Who is locked now and until when, from the lock index (no scan of the failure counters). */
const lockoutsPage = async (
  request: PageRequest,
  actor: ConsoleActor,
  problem: { message: string; status: number } | null = null,
): Promise<HttpResult> => {
  const { locks, partial } = await listLockouts(request.deps, actor);
  const notice = noticeOf(request);
  const rows = locks.map((lock) => {
    const login =
      lock.holder && 'login' in lock.holder
        ? lock.holder.login
        : (lock.user?.email ?? 'An account since deleted');
    const form =
      lock.canClear && lock.holder
        ? 'userId' in lock.holder
          ? clearForm(request, 'user_id', lock.holder.userId, login)
          : clearForm(request, 'key', lock.key, login)
        : '';
    return html`<tr>
<th scope="row">${login}</th>
<td data-label="User">${lock.user ? html`<a href="${userPath(lock.user.id)}">${lock.user.name ?? lock.user.email}</a>` : 'No account'}</td>
<td data-label="Failed attempts">${lock.failures}</td>
<td data-label="Locked until">${timeTag(new Date(lock.lockedUntil).toISOString())}</td>
<td data-label="Actions">${form}</td>
</tr>`;
  });
  const body = html`${alert(notice, 'notice')}
${alert(problem?.message ?? null)}
<p class="hint">A login is locked after ${request.deps.config.lockout.threshold} failed attempts in a row, for longer after each one more, at most ${Math.round(request.deps.config.lockout.maxSeconds / 60)} minutes. Clearing a lock lets the right password in at once and changes nothing else.</p>
${
  rows.length
    ? html`<div class="table-wrap"><table class="user-table">
<caption>Locked now</caption>
<thead><tr><th scope="col">Login</th><th scope="col">User</th><th scope="col">Failed attempts</th><th scope="col">Locked until</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : partial
      ? ''
      : html`<p>Nobody is locked out.</p>`
}
${
  // Never "nobody" (nor a list that looks whole) when the read was cut.
  partial
    ? html`<p class="notice" role="status">This list may be incomplete: more locks are recorded than one page view reads (an attack can spray many). Each lock still ends by itself at its time.</p>`
    : ''
}`;
  return page(problem?.status ?? 200, consolePage(request, actor, 'Lockouts', body));
};

export const lockoutsListPage = consoleAction('users:read', (request, actor) =>
  lockoutsPage(request, actor),
);

/** "Clear lock": by the account (its password rule) or by a login that names nobody (admins). */
export const lockoutClearSubmit = consoleAction(
  'users:write',
  async (request, actor) => {
    const userId = request.form.get('user_id');
    const key = request.form.get('key');
    try {
      const cleared = userId
        ? await clearUserLock(request.deps, actor, userId, request.meta)
        : key
          ? await clearLoginLock(request.deps, actor, key, request.meta)
          : false;
      return seeOther(`/console/lockouts?notice=${cleared ? 'cleared' : 'notLocked'}`);
    } catch (error) {
      const found = formError(error, [...FORM_ERRORS, 'not_found']);
      if (!found) throw error;
      return lockoutsPage(request, actor, found);
    }
  },
  () => '/console/lockouts',
);
