import { changeOwnPassword, deleteOwnAccount, updateOwnProfile } from '../../core/account';
import { GatehouseError } from '../../core/errors';
import {
  forgotPassword,
  resendVerification,
  resetPasswordWithToken,
  signUp,
  verifyEmail,
} from '../../core/self-service';
import { type Action, type ActionRequest, requireActor } from '../handler';
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

/** Changing the account takes a session's access token, never an API token (API.md). */
const requireSession = async (request: ActionRequest) => {
  const actor = await requireActor(request);
  const sid = request.principal?.sid ?? '';
  if (!sid) {
    throw new GatehouseError(
      'forbidden',
      "Changing the account needs a signed-in session's access token, not an API token.",
    );
  }
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
  const { actor } = await requireSession(request);
  const user = await updateOwnProfile(
    request.deps,
    actor,
    request.body as UpdateMeBody,
    request.meta,
  );
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

/** Every route of the account function (functions/account.ts). */
export const accountActions: Record<string, Action> = {
  'POST /auth/sign-up': signUpAction,
  'POST /auth/email/verify': verifyEmailAction,
  'POST /auth/email/resend': resendVerificationAction,
  'POST /auth/password/forgot': forgotPasswordAction,
  'POST /auth/password/reset': resetPasswordAction,
  'GET /me': getMe,
  'PATCH /me': updateMeAction,
  'DELETE /me': deleteMeAction,
  'POST /me/password': changePasswordAction,
};
