import { changeOwnPassword, deleteOwnAccount, updateOwnProfile } from '../../core/account/account';
import { assertAccountSession } from '../../core/account/account-access';
import {
  forgotPassword,
  resendVerification,
  resetPasswordWithToken,
  signUp,
  verifyEmail,
} from '../../core/account/self-service';
import { listGrants, revokeGrant } from '../../core/oauth/consent';
import { liveSessionAuthTime } from '../../core/sessions/sessions';
import { type Action, type ActionRequest, type ActionsOf, requireActor } from '../handler';
import { json, noContent } from '../responses';
import type {
  ChangePasswordBody,
  DeleteMeBody,
  EmailBody,
  OneTimeTokenBody,
  PasswordResetBody,
  SignUpBody,
  UpdateMeBody,
} from '../schemas';
import { getMe } from './me';

/** Account routes take a session's token, of no client or a first-party one (API.md). */
const requireSession = async (request: ActionRequest) => {
  const actor = await requireActor(request);
  const sid = request.principal?.sid ?? '';
  await assertAccountSession(request.deps, {
    sid,
    clientId: request.principal?.clientId ?? '',
  });
  return { actor, sid };
};

export const signUpAction: Action = async ({ deps, body, meta }) =>
  json(201, { user: await signUp(deps, body as SignUpBody, meta) });

export const verifyEmailAction: Action = async ({ deps, body, meta }) => {
  const { token, password } = body as OneTimeTokenBody;
  await verifyEmail(deps, token, meta, password);
  return noContent();
};

export const resendVerificationAction: Action = async ({ deps, body, meta }) => {
  await resendVerification(deps, (body as EmailBody).email, meta);
  return json(202, {});
};

export const forgotPasswordAction: Action = async ({ deps, body, meta }) => {
  await forgotPassword(deps, (body as EmailBody).email, meta);
  return json(202, {});
};

export const resetPasswordAction: Action = async ({ deps, body, meta }) => {
  await resetPasswordWithToken(deps, body as PasswordResetBody, meta);
  return noContent();
};

export const updateMeAction: Action = async (request) => {
  const { actor, sid } = await requireSession(request);
  const { password, ...changes } = request.body as UpdateMeBody;
  const user = await updateOwnProfile(request.deps, actor, changes, request.meta, {
    ...(password !== undefined ? { password } : {}),
    authTime: await liveSessionAuthTime(request.deps, actor.user.id, sid),
  });
  return json(200, { user });
};

export const deleteMeAction: Action = async (request) => {
  const { actor } = await requireSession(request);
  await deleteOwnAccount(
    request.deps,
    actor,
    (request.body as DeleteMeBody).password,
    request.meta,
  );
  return noContent();
};

export const changePasswordAction: Action = async (request) => {
  const { actor, sid } = await requireSession(request);
  await changeOwnPassword(
    request.deps,
    actor,
    sid,
    request.body as ChangePasswordBody,
    request.meta,
  );
  return noContent();
};

export const listGrantsAction: Action = async (request) => {
  const { actor } = await requireSession(request);
  return json(200, { grants: await listGrants(request.deps, actor.user.id) });
};

export const revokeGrantAction: Action = async (request) => {
  const { actor } = await requireSession(request);
  await revokeGrant(
    request.deps,
    actor.user.id,
    request.pathParameters.client_id ?? '',
    request.meta,
    actor.tokenId,
  );
  return noContent();
};

/** Every route of the account function (functions/account.ts). */
export const accountActions: ActionsOf<'account'> = {
  'POST /auth/sign-up': signUpAction,
  'POST /auth/email/verify': verifyEmailAction,
  'POST /auth/email/resend': resendVerificationAction,
  'POST /auth/password/forgot': forgotPasswordAction,
  'POST /auth/password/reset': resetPasswordAction,
  'GET /me': getMe,
  'PATCH /me': updateMeAction,
  'DELETE /me': deleteMeAction,
  'POST /me/password': changePasswordAction,
  'GET /me/grants': listGrantsAction,
  'DELETE /me/grants/{client_id}': revokeGrantAction,
};
