import { unlinkIdentity } from '../../../core/identity/unlink-identity';
import {
  approveUser,
  createUser,
  deleteUser,
  loadUser,
  rejectUser,
  resetPassword,
  updateUser,
} from '../../../core/users/user-management';
import type { UserRecord } from '../../../core/users/users';
import { CreateUserBody, UnlinkIdentityQuery, UpdateUserBody } from '../../../http/schemas';
import { checked, given } from '../../forms';
import { assertFirstPost, seeOther } from '../../page-handler';
import { consoleAction, formError } from '../console-shared';
import { userDetail } from './detail';
import { backToUser, targetId, userPath, usersPath } from './links';
import { usersList } from './list';
import { FORM_ERRORS } from './widgets';

export const usersCreateSubmit = consoleAction('users:write', async (request, actor) => {
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
});

/** Only what the form changes: a field left empty or as it was is not sent. */
const changesFrom = (form: URLSearchParams, target: UserRecord) => {
  const changes: Record<string, string> = {};
  for (const name of ['name', 'username', 'email', 'role', 'status'] as const) {
    const value = given(form, name);
    if (value !== undefined && value !== (target[name] ?? '')) changes[name] = value;
  }
  return Object.keys(changes).length ? checked(UpdateUserBody, changes) : null;
};

export const userUpdateSubmit = consoleAction('users:write', async (request, actor) => {
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

export const userPasswordSubmit = consoleAction(
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

export const userApproveSubmit = consoleAction(
  'users:write',
  async (request, actor) => {
    await approveUser(request.deps, actor, targetId(request), request.meta);
    return seeOther(usersPath('approved'));
  },
  backToUser,
);

export const userRejectSubmit = consoleAction(
  'users:write',
  async (request, actor) => {
    await rejectUser(request.deps, actor, targetId(request), request.meta);
    return seeOther(usersPath('rejected'));
  },
  backToUser,
);

export const userDeleteSubmit = consoleAction(
  'users:write',
  async (request, actor) => {
    await deleteUser(request.deps, actor, targetId(request), request.meta);
    return seeOther(usersPath('deleted'));
  },
  backToUser,
);

/** The API's unlink (owners only, audited `user.unlink`), from the user page's button. */
export const userUnlinkSubmit = consoleAction(
  'users:write',
  async (request, actor) => {
    const target = await loadUser(request.deps, targetId(request));
    try {
      const identity = checked(UnlinkIdentityQuery, {
        provider: request.form.get('provider') ?? '',
        subject: request.form.get('subject') ?? '',
      });
      await unlinkIdentity(request.deps, actor, target.id, identity, request.meta);
      return seeOther(userPath(target.id, 'unlinked'));
    } catch (error) {
      // not_found here is the identity (the user was loaded): a stale page, shown beside it.
      const found = formError(error, [...FORM_ERRORS, 'not_found']);
      if (!found) throw error;
      return userDetail(request, actor, target, { problem: { at: 'unlink', ...found } });
    }
  },
  backToUser,
);
