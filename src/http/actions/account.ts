import { changeOwnPassword, deleteOwnAccount, updateOwnProfile } from '../../core/account/account';
import {
  forgotPassword,
  resendVerification,
  resetPasswordWithToken,
  signUp,
  verifyEmail,
} from '../../core/account/self-service';
import { listGrants, revokeGrant } from '../../core/oauth/consent';
import type { Action, ActionsOf } from '../handler';
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
import { proofOf, requireSession } from './account-session';
import { getMe } from './me';
import {
  confirmTotpAction,
  enrolTotpAction,
  listFactorsAction,
  removeFactorAction,
  renewRecoveryCodesAction,
} from './mfa';
import {
  registerWebAuthnAction,
  stepUpAssertionOptionsAction,
  webAuthnOptionsAction,
} from './webauthn';

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
  const session = await requireSession(request);
  const { password, code, credential, ...changes } = request.body as UpdateMeBody;
  const proof = await proofOf(request, session, { password, code, credential });
  const user = await updateOwnProfile(request.deps, session.actor, changes, request.meta, proof);
  return json(200, { user });
};

export const deleteMeAction: Action = async (request) => {
  const session = await requireSession(request);
  const proof = await proofOf(request, session, request.body as DeleteMeBody);
  await deleteOwnAccount(request.deps, session.actor, proof, request.meta);
  return noContent();
};

export const changePasswordAction: Action = async (request) => {
  const { actor, sid } = await requireSession(request);
  const change = request.body as ChangePasswordBody;
  await changeOwnPassword(request.deps, actor, sid, change, request.meta);
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
  'GET /me/mfa': listFactorsAction,
  'POST /me/mfa/totp': enrolTotpAction,
  'POST /me/mfa/totp/{factor_id}/confirm': confirmTotpAction,
  'DELETE /me/mfa/{factor_id}': removeFactorAction,
  'POST /me/mfa/recovery-codes': renewRecoveryCodesAction,
  'POST /me/mfa/webauthn/options': webAuthnOptionsAction,
  'POST /me/mfa/webauthn': registerWebAuthnAction,
  'POST /me/mfa/webauthn/assertion-options': stepUpAssertionOptionsAction,
};
