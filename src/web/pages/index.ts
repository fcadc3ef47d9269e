import type { PageAction } from '../page-handler';
import { assetFile } from './assets';
import {
  forgotPasswordPage,
  forgotPasswordSubmit,
  resetPasswordPage,
  resetPasswordSubmit,
  signInPage,
  signInSubmit,
  signOutSubmit,
  signUpPage,
  signUpSubmit,
  verifyEmailPage,
  verifyEmailSubmit,
} from './auth';
import { authorizePage } from './authorize';
import { consentPage, consentSubmit } from './consent';
import { accountPage, passwordSubmit, profileSubmit } from './console';
import { activityPage } from './console-activity/activity-page';
import { consoleAuditActions } from './console-audit';
import { clientsCreateSubmit, clientsListPage } from './console-clients';
import { grantRevokeSubmit } from './console-grants';
import {
  confirmSubmit,
  enrolPage,
  enrolSubmit,
  recoveryCodesSubmit,
  removeSubmit,
} from './console-mfa';
import {
  passkeyEnrolPage,
  passkeyFinishSubmit,
  passkeyOptionsSubmit,
  stepUpOptionsRoute,
} from './console-passkeys';
import { tokenCreateSubmit, tokenRevokeSubmit, tokensPage } from './console-tokens';
import { consoleUsersActions } from './console-users';
import { linkAccountPage, linkAccountSubmit } from './link-account';
import { logoutConfirmSubmit, logoutPage } from './logout';
import { challengeOptionsRoute, challengePage, challengeSubmit } from './mfa-challenge';
import { passkeyOptionsRoute, passkeySignInSubmit } from './passkey-sign-in';

/** Every page route's action (src/web/routes.ts). */
export const pageActions: Record<string, PageAction> = {
  'GET /sign-in': signInPage,
  'POST /sign-in': signInSubmit,
  'GET /sign-in/mfa': challengePage,
  'POST /sign-in/mfa': challengeSubmit,
  'POST /sign-in/mfa/options': challengeOptionsRoute,
  'POST /sign-in/passkey/options': passkeyOptionsRoute,
  'POST /sign-in/passkey': passkeySignInSubmit,
  'POST /sign-out': signOutSubmit,
  'GET /sign-up': signUpPage,
  'POST /sign-up': signUpSubmit,
  'GET /verify-email': verifyEmailPage,
  'POST /verify-email': verifyEmailSubmit,
  'GET /forgot-password': forgotPasswordPage,
  'POST /forgot-password': forgotPasswordSubmit,
  'GET /reset-password': resetPasswordPage,
  'POST /reset-password': resetPasswordSubmit,
  'GET /oauth/authorize': authorizePage,
  'GET /oauth/logout': logoutPage,
  'POST /oauth/logout': logoutPage,
  'POST /oauth/logout/confirm': logoutConfirmSubmit,
  'GET /consent': consentPage,
  'POST /consent': consentSubmit,
  'GET /console': accountPage,
  'POST /console/profile': profileSubmit,
  'POST /console/password': passwordSubmit,
  'GET /console/mfa/totp': enrolPage,
  'POST /console/mfa/totp': enrolSubmit,
  'POST /console/mfa/totp/{factor_id}/confirm': confirmSubmit,
  'GET /console/mfa/webauthn': passkeyEnrolPage,
  'POST /console/mfa/webauthn': passkeyOptionsSubmit,
  'POST /console/mfa/webauthn/finish': passkeyFinishSubmit,
  'POST /console/mfa/step-up-options': stepUpOptionsRoute,
  'POST /console/mfa/{factor_id}/remove': removeSubmit,
  'POST /console/mfa/recovery-codes': recoveryCodesSubmit,
  'GET /console/tokens': tokensPage,
  'POST /console/tokens': tokenCreateSubmit,
  'POST /console/tokens/{token_id}/revoke': tokenRevokeSubmit,
  'POST /console/grants/{client_id}/revoke': grantRevokeSubmit,
  ...consoleUsersActions,
  ...consoleAuditActions,
  'GET /console/activity': activityPage,
  'GET /console/clients': clientsListPage,
  'POST /console/clients': clientsCreateSubmit,
  'GET /assets/{file}': assetFile,
  'GET /link-account': linkAccountPage,
  'POST /link-account': linkAccountSubmit,
};
