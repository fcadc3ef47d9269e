import { unlinkIdentity } from '../../core/identity/unlink-identity';
import { resetUserFactors } from '../../core/users/mfa-reset';
import { showUser } from '../../core/users/public-user';
import type { ListUsersQuery } from '../../core/users/user-listing';
import { listUsers } from '../../core/users/user-listing';
import {
  approveUser,
  createUser,
  deleteUser,
  loadUser,
  rejectUser,
  resetPassword,
  updateUser,
} from '../../core/users/user-management';
import { type Action, type ActionRequest, requireActor } from '../handler';
import { json, noContent } from '../responses';
import type {
  CreateUserBody,
  ResetPasswordBody,
  UnlinkIdentityQuery,
  UpdateUserBody,
} from '../schemas';

const userId = (request: ActionRequest) => request.pathParameters.id as string;

export const listUsersAction: Action = async (request) => {
  await requireActor(request, { readOnly: true });
  return json(200, await listUsers(request.deps, request.query as ListUsersQuery));
};

export const createUserAction: Action = async (request) => {
  const actor = await requireActor(request);
  const user = await createUser(request.deps, actor, request.body as CreateUserBody, request.meta);
  return json(201, { user });
};

export const getUserAction: Action = async (request) => {
  await requireActor(request, { readOnly: true });
  return json(200, {
    user: await showUser(request.deps, await loadUser(request.deps, userId(request))),
  });
};

export const updateUserAction: Action = async (request) => {
  const actor = await requireActor(request);
  const changes = request.body as UpdateUserBody;
  const user = await updateUser(request.deps, actor, userId(request), changes, request.meta);
  return json(200, { user });
};

export const deleteUserAction: Action = async (request) => {
  const actor = await requireActor(request);
  await deleteUser(request.deps, actor, userId(request), request.meta);
  return noContent();
};

export const resetPasswordAction: Action = async (request) => {
  const actor = await requireActor(request);
  const { password } = request.body as ResetPasswordBody;
  const result = await resetPassword(request.deps, actor, userId(request), password, request.meta);
  return result.generatedPassword === undefined
    ? noContent()
    : json(200, { password: result.generatedPassword });
};

export const approveUserAction: Action = async (request) => {
  const actor = await requireActor(request);
  return json(200, { user: await approveUser(request.deps, actor, userId(request), request.meta) });
};

export const rejectUserAction: Action = async (request) => {
  const actor = await requireActor(request);
  await rejectUser(request.deps, actor, userId(request), request.meta);
  return noContent();
};

export const resetUserFactorsAction: Action = async (request) => {
  const actor = await requireActor(request);
  await resetUserFactors(request.deps, actor, userId(request), request.meta);
  return noContent();
};

export const unlinkIdentityAction: Action = async (request) => {
  const actor = await requireActor(request);
  const identity = request.query as UnlinkIdentityQuery;
  await unlinkIdentity(request.deps, actor, userId(request), identity, request.meta);
  return noContent();
};
