import type * as z from 'zod/mini';
import type { ErrorCode } from '../core/shared/errors';
import type { FunctionName } from './functions';
import {
  AuditQuery,
  ChangePasswordBody,
  ConfirmTotpBody,
  CreateClientBody,
  CreateTokenBody,
  CreateUserBody,
  DeleteMeBody,
  EmailBody,
  EnrolTotpBody,
  FederatedCallbackQuery,
  FederatedStartQuery,
  ListClientsQuery,
  ListTokensQuery,
  ListUsersQuery,
  MfaChallengeBody,
  MfaVerifyBody,
  OneTimeTokenBody,
  PasswordResetBody,
  RefreshBody,
  ResetPasswordBody,
  SignInBody,
  SignOutBody,
  SignUpBody,
  SsoQuery,
  StepUpBody,
  TokenForm,
  TokenRequestForm,
  UnlinkIdentityQuery,
  UpdateMeBody,
  UpdateUserBody,
} from './schemas';
import { PasskeyVerifyBody, RegisterWebAuthnBody } from './webauthn-schemas';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * - public: no token looked at.
 * - bearer: a valid access token is required.
 * - optional: a token may be given and is then verified (sign-out with `all`).
 */
export type RouteAuth = 'public' | 'bearer' | 'optional';

/** RFC 6749 errors a form route answers that have no contract code. */
export type OAuthProtocolErrorName =
  | 'insufficient_scope'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type';

export interface Route {
  method: HttpMethod;
  /** API Gateway syntax: /users/{id}. */
  path: string;
  function: Exclude<FunctionName, 'authorizer'>;
  auth: RouteAuth;
  body?: z.ZodMiniType;
  /** The body may be left out (every field optional): no body reads as `{}`. */
  bodyOptional?: boolean;
  /** A form body (`/oauth/*`, RFC 6749); such routes also answer errors in the RFC's shape. */
  form?: z.ZodMiniType;
  /** Query string schema; without one, query parameters are ignored. */
  query?: z.ZodMiniType;
  /** Scope the caller's token must hold (../shared/API.md, Roles and scopes). */
  scope?: string;
  summary: string;
  /** Status of a successful answer, for the OpenAPI document. */
  success: number;
  /**
   * Contract codes the route answers beyond those its other fields imply (route-errors.ts
   * derives those); on a form route they are answered in RFC 6749's shape.
   */
  errors?: readonly ErrorCode[];
  /** A form route's RFC 6749 errors with no contract code. */
  oauthErrors?: readonly OAuthProtocolErrorName[];
  /**
   * A browser's redirect flow: to a request whose Accept prefers text/html, errors are the
   * hosted error page, with the same status (the contract's JSON otherwise).
   */
  browser?: boolean;
  /**
   * CORS: ALLOWED_REDIRECT_ORIGINS may read every answer, a refusal before the action
   * included (a bad bearer at /oauth/userinfo).
   */
  sharedWithAllowedOrigins?: boolean;
}

/** RFC 6749's error dialect: every `/oauth/*` route and every form route (contract, Errors). */
export const speaksOAuth = (route: Route): boolean =>
  route.form !== undefined || route.path.startsWith('/oauth/');

/**
 * Every route of the API. Data only: CDK, the local server, the handlers and OpenAPI read it.
 * Kept literal (`as const`) so each function's route keys are a type.
 */
const routeTable = [
  {
    method: 'POST',
    path: '/auth/sign-in',
    function: 'signIn',
    auth: 'public',
    body: SignInBody,
    summary: 'Sign in with email or username and password',
    success: 200,
    errors: [
      'invalid_credentials',
      'account_pending',
      'account_disabled',
      'password_login_disabled',
      'too_many_attempts',
      'mfa_required',
    ],
  },
  {
    method: 'POST',
    path: '/auth/mfa/verify',
    function: 'signIn',
    auth: 'public',
    body: MfaVerifyBody,
    summary:
      'Finish a sign-in (or a step-up) with the mfa_token and a TOTP or recovery code, or a WebAuthn assertion',
    success: 200,
    errors: [
      'invalid_credentials',
      'token_invalid',
      'account_pending',
      'account_disabled',
      'too_many_attempts',
    ],
  },
  {
    method: 'POST',
    path: '/auth/mfa/challenge',
    function: 'signIn',
    auth: 'public',
    body: MfaChallengeBody,
    summary: "A WebAuthn factor's assertion options for the mfa_token (a TOTP factor needs none)",
    success: 200,
    errors: ['token_invalid', 'not_found'],
  },
  {
    method: 'POST',
    path: '/auth/passkey/options',
    function: 'signIn',
    auth: 'public',
    summary:
      'Options for a passwordless sign-in with a passkey (discoverable, user verification required)',
    success: 200,
    errors: ['password_login_disabled', 'too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/auth/passkey/verify',
    function: 'signIn',
    auth: 'public',
    body: PasskeyVerifyBody,
    summary: "Sign in with a passkey's assertion; 200 the sign-in shape with amr hwk, mfa",
    success: 200,
    errors: [
      'invalid_credentials',
      'account_pending',
      'account_disabled',
      'password_login_disabled',
      'too_many_attempts',
    ],
  },
  {
    method: 'POST',
    path: '/auth/refresh',
    function: 'token',
    auth: 'public',
    body: RefreshBody,
    summary: 'Trade a refresh token for new tokens (the old one stops working)',
    success: 200,
    errors: ['token_invalid', 'account_pending', 'account_disabled', 'mfa_required'],
  },
  {
    method: 'POST',
    path: '/auth/sign-out',
    function: 'token',
    auth: 'optional',
    body: SignOutBody,
    summary: 'End the session of a refresh token, or with a bearer and {all:true} every session',
    success: 204,
    errors: ['forbidden'],
  },
  {
    method: 'GET',
    path: '/auth/sso',
    function: 'sso',
    auth: 'public',
    query: SsoQuery,
    summary:
      'JWT SSO: without jwt, redirect to the identity provider; with jwt, sign in and redirect to return_to',
    success: 302,
    errors: ['not_found', 'token_invalid', 'forbidden', 'conflict', 'account_disabled'],
  },
  {
    method: 'GET',
    path: '/auth/providers',
    function: 'sso',
    auth: 'public',
    summary: 'The OIDC identity providers one can sign in with: {providers: [{id, name}]}',
    success: 200,
  },
  {
    method: 'GET',
    path: '/auth/federated/{id}',
    function: 'sso',
    auth: 'public',
    query: FederatedStartQuery,
    browser: true,
    summary:
      'OIDC federation: redirect to the identity provider with state, nonce and PKCE S256 (return_to checked as for SSO)',
    success: 302,
    errors: ['unavailable'],
  },
  {
    method: 'GET',
    path: '/auth/federated/{id}/callback',
    function: 'sso',
    auth: 'public',
    query: FederatedCallbackQuery,
    browser: true,
    summary:
      "OIDC federation: the provider's callback; trades the code, validates the ID token, signs in and redirects to return_to",
    success: 302,
    errors: [
      'token_invalid',
      'forbidden',
      'conflict',
      'account_pending',
      'account_disabled',
      'unavailable',
    ],
  },
  {
    method: 'POST',
    path: '/auth/sign-up',
    function: 'account',
    auth: 'public',
    body: SignUpBody,
    summary: 'Create an account (SIGN_UP_ENABLED); unverified until its email is confirmed',
    success: 201,
    errors: ['forbidden', 'conflict', 'too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/auth/email/verify',
    function: 'account',
    auth: 'public',
    body: OneTimeTokenBody,
    summary: 'Confirm an email address with the token from the mailed link',
    success: 204,
    errors: ['too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/auth/email/resend',
    function: 'account',
    auth: 'public',
    body: EmailBody,
    summary: 'Mail the verification link again (202 whether or not the address has an account)',
    success: 202,
    errors: ['too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/auth/password/forgot',
    function: 'account',
    auth: 'public',
    body: EmailBody,
    summary: 'Mail a password reset link (202 whether or not the address has an account)',
    success: 202,
    errors: ['too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/auth/password/reset',
    function: 'account',
    auth: 'public',
    body: PasswordResetBody,
    summary: 'Set a new password with the token from the mailed link; ends every session',
    success: 204,
    errors: ['too_many_attempts'],
  },
  {
    method: 'GET',
    path: '/me',
    function: 'account',
    auth: 'bearer',
    summary: 'The signed-in user',
    success: 200,
  },
  {
    method: 'PATCH',
    path: '/me',
    function: 'account',
    auth: 'bearer',
    body: UpdateMeBody,
    summary:
      'Change your name or username; a new email (step-up proof) applies once its mailed link is used',
    success: 200,
    errors: ['forbidden', 'mfa_required', 'conflict', 'too_many_attempts'],
  },
  {
    method: 'DELETE',
    path: '/me',
    function: 'account',
    auth: 'bearer',
    body: DeleteMeBody,
    bodyOptional: true,
    summary: 'Delete your account (step-up proof: password, code or a recent sign-in)',
    success: 204,
    errors: ['forbidden', 'mfa_required', 'conflict', 'too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/me/password',
    function: 'account',
    auth: 'bearer',
    body: ChangePasswordBody,
    summary: 'Change your password (step-up proof); every other session ends',
    success: 204,
    errors: ['forbidden', 'mfa_required', 'too_many_attempts'],
  },
  {
    method: 'GET',
    path: '/me/grants',
    function: 'account',
    auth: 'bearer',
    summary: 'The applications you allowed (OAuth consent) and the scopes each may use',
    success: 200,
    errors: ['forbidden'],
  },
  {
    method: 'DELETE',
    path: '/me/grants/{client_id}',
    function: 'account',
    auth: 'bearer',
    summary: "Withdraw an application's consent; its sessions of your account end",
    success: 204,
    errors: ['forbidden'],
  },
  {
    method: 'GET',
    path: '/me/mfa',
    function: 'account',
    auth: 'bearer',
    summary: 'Your confirmed second factors (never a secret)',
    success: 200,
    errors: ['forbidden'],
  },
  {
    method: 'POST',
    path: '/me/mfa/totp',
    function: 'account',
    auth: 'bearer',
    body: EnrolTotpBody,
    bodyOptional: true,
    summary:
      'Start a TOTP enrolment (step-up proof): its secret and otpauth URI, live once a code confirms it',
    success: 201,
    errors: ['forbidden', 'mfa_required', 'too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/me/mfa/totp/{factor_id}/confirm',
    function: 'account',
    auth: 'bearer',
    body: ConfirmTotpBody,
    summary: 'Confirm a TOTP enrolment with a code; the first factor answers 10 recovery codes',
    success: 200,
    errors: ['forbidden', 'conflict'],
  },
  {
    method: 'POST',
    path: '/me/mfa/webauthn/options',
    function: 'account',
    auth: 'bearer',
    body: StepUpBody,
    bodyOptional: true,
    summary: 'Registration options for a passkey or security key (step-up proof)',
    success: 200,
    errors: ['forbidden', 'mfa_required', 'too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/me/mfa/webauthn',
    function: 'account',
    auth: 'bearer',
    body: RegisterWebAuthnBody,
    summary:
      "Register the authenticator's answer to those options as a factor; the first factor answers 10 recovery codes",
    success: 201,
    errors: ['forbidden', 'conflict'],
  },
  {
    method: 'POST',
    path: '/me/mfa/webauthn/assertion-options',
    function: 'account',
    auth: 'bearer',
    summary:
      'Assertion options for step-up proof by a WebAuthn factor (the `credential` member of a /me body)',
    success: 200,
    errors: ['forbidden', 'not_found'],
  },
  {
    method: 'DELETE',
    path: '/me/mfa/{factor_id}',
    function: 'account',
    auth: 'bearer',
    body: StepUpBody,
    bodyOptional: true,
    summary: 'Remove a factor (step-up proof); the last one takes the recovery codes',
    success: 204,
    errors: ['forbidden', 'mfa_required', 'conflict', 'too_many_attempts'],
  },
  {
    method: 'POST',
    path: '/me/mfa/recovery-codes',
    function: 'account',
    auth: 'bearer',
    body: StepUpBody,
    bodyOptional: true,
    summary: 'New recovery codes (step-up proof): the old ones stop working',
    success: 200,
    errors: ['forbidden', 'mfa_required', 'conflict', 'too_many_attempts'],
  },
  {
    method: 'GET',
    path: '/users',
    function: 'users',
    auth: 'bearer',
    scope: 'users:read',
    query: ListUsersQuery,
    summary: 'List users: prefix search on email, username or name; role and status filters',
    success: 200,
  },
  {
    method: 'POST',
    path: '/users',
    function: 'users',
    auth: 'bearer',
    scope: 'users:write',
    body: CreateUserBody,
    summary: 'Add a user, human or machine (owners only)',
    success: 201,
    errors: ['conflict'],
  },
  {
    method: 'GET',
    path: '/users/{id}',
    function: 'users',
    auth: 'bearer',
    scope: 'users:read',
    summary: 'One user',
    success: 200,
  },
  {
    method: 'PATCH',
    path: '/users/{id}',
    function: 'users',
    auth: 'bearer',
    scope: 'users:write',
    body: UpdateUserBody,
    summary: 'Change name, username, email, role, status or attributes, within the role rules',
    success: 200,
    errors: ['conflict'],
  },
  {
    method: 'DELETE',
    path: '/users/{id}',
    function: 'users',
    auth: 'bearer',
    scope: 'users:write',
    summary: 'Delete a user (owners only)',
    success: 204,
    errors: ['conflict'],
  },
  {
    method: 'POST',
    path: '/users/{id}/password',
    function: 'users',
    auth: 'bearer',
    scope: 'users:write',
    body: ResetPasswordBody,
    summary: 'Set a password ({password}: 204) or generate one ({}: 200, shown once)',
    success: 204,
  },
  {
    method: 'POST',
    path: '/users/{id}/approve',
    function: 'users',
    auth: 'bearer',
    scope: 'users:write',
    summary: 'Approve a pending user',
    success: 200,
    errors: ['conflict'],
  },
  {
    method: 'POST',
    path: '/users/{id}/reject',
    function: 'users',
    auth: 'bearer',
    scope: 'users:write',
    summary: 'Reject a pending user: the request is deleted',
    success: 204,
    errors: ['conflict'],
  },
  {
    method: 'DELETE',
    path: '/users/{id}/identities',
    function: 'users',
    auth: 'bearer',
    scope: 'users:write',
    query: UnlinkIdentityQuery,
    summary: 'Unlink a federated identity (owners only); the password, role and sessions stay',
    success: 204,
    errors: ['conflict'],
  },
  {
    method: 'DELETE',
    path: '/users/{id}/mfa',
    function: 'users',
    auth: 'bearer',
    scope: 'users:write',
    summary:
      "Clear a user's factors and recovery codes (a lost phone), within the role rules; their sessions end",
    success: 204,
  },
  {
    method: 'GET',
    path: '/audit',
    function: 'users',
    auth: 'bearer',
    scope: 'audit:read',
    query: AuditQuery,
    summary: 'The audit log, newest first',
    success: 200,
  },
  {
    method: 'GET',
    path: '/tokens',
    function: 'apiTokens',
    auth: 'bearer',
    scope: 'tokens:read',
    query: ListTokensQuery,
    summary: 'Your API tokens (all of them with all=true, for admins), newest first',
    success: 200,
  },
  {
    method: 'POST',
    path: '/tokens',
    function: 'apiTokens',
    auth: 'bearer',
    scope: 'tokens:write',
    body: CreateTokenBody,
    summary: 'Make an API token: the secret is in this answer only',
    success: 201,
  },
  {
    method: 'GET',
    path: '/tokens/{token_id}',
    function: 'apiTokens',
    auth: 'bearer',
    scope: 'tokens:read',
    summary: 'One API token (never its secret)',
    success: 200,
  },
  {
    method: 'DELETE',
    path: '/tokens/{token_id}',
    function: 'apiTokens',
    auth: 'bearer',
    scope: 'tokens:write',
    summary: 'Revoke an API token',
    success: 204,
  },
  {
    method: 'POST',
    path: '/tokens/{token_id}/renew',
    function: 'apiTokens',
    auth: 'bearer',
    scope: 'tokens:write',
    summary: 'Renew a renewable API token: its original lifetime again, from now',
    success: 200,
    errors: ['conflict'],
  },
  {
    method: 'POST',
    path: '/oauth/token',
    function: 'oauth',
    auth: 'public',
    form: TokenRequestForm,
    summary:
      'RFC 6749 token endpoint: refresh_token, password (first-party), authorization_code, client_credentials, urn:gatehouse:grant-type:mfa',
    success: 200,
    // A failed client authentication, the password grant's lockout (invalid_grant), a due factor.
    errors: ['api_key_invalid', 'too_many_attempts', 'mfa_required'],
    oauthErrors: [
      'invalid_grant',
      'invalid_scope',
      'unauthorized_client',
      'unsupported_grant_type',
    ],
  },
  {
    method: 'POST',
    path: '/oauth/introspect',
    function: 'oauth',
    // A client (Basic or client_secret_post), or a bearer with tokens:introspect.
    auth: 'optional',
    form: TokenForm,
    summary: 'RFC 7662 introspection of any Gatehouse token; inactive ones are {"active": false}',
    success: 200,
    errors: ['api_key_invalid'],
    oauthErrors: ['insufficient_scope'],
  },
  {
    method: 'POST',
    path: '/oauth/revoke',
    function: 'oauth',
    auth: 'optional',
    form: TokenForm,
    summary: 'RFC 7009 revocation of a token the caller owns or administers; 200 whatever it was',
    success: 200,
    errors: ['api_key_invalid'],
  },
  {
    method: 'GET',
    path: '/oauth/userinfo',
    function: 'oauth',
    auth: 'bearer',
    sharedWithAllowedOrigins: true,
    summary:
      'OIDC userinfo: sub and the claims of the granted scopes, from the user as stored now (an access token with openid)',
    success: 200,
    // 403 insufficient_scope: the access token was granted no openid.
    errors: ['forbidden'],
  },
  {
    method: 'POST',
    path: '/oauth/userinfo',
    function: 'oauth',
    auth: 'bearer',
    sharedWithAllowedOrigins: true,
    summary: 'OIDC userinfo, as GET: the bearer in the Authorization header, no body needed',
    success: 200,
    errors: ['forbidden'],
  },
  {
    method: 'GET',
    path: '/clients',
    function: 'oauth',
    auth: 'bearer',
    scope: 'clients:read',
    query: ListClientsQuery,
    summary: 'OAuth clients, newest first',
    success: 200,
  },
  {
    method: 'POST',
    path: '/clients',
    function: 'oauth',
    auth: 'bearer',
    scope: 'clients:write',
    body: CreateClientBody,
    summary: 'Register an OAuth client: a confidential one gets its secret here only',
    success: 201,
  },
  {
    method: 'DELETE',
    path: '/clients/{client_id}',
    function: 'oauth',
    auth: 'bearer',
    scope: 'clients:write',
    summary: 'Delete an OAuth client',
    success: 204,
  },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    function: 'discovery',
    auth: 'public',
    summary: 'Public keys that verify access tokens',
    success: 200,
  },
  {
    method: 'GET',
    path: '/.well-known/openid-configuration',
    function: 'discovery',
    auth: 'public',
    summary: 'OpenID Connect discovery document',
    success: 200,
  },
  {
    method: 'GET',
    path: '/openapi.json',
    function: 'discovery',
    auth: 'public',
    summary: 'This OpenAPI 3.1 document',
    success: 200,
  },
] as const satisfies readonly Route[];

/** The table to iterate: each route seen as a `Route`, whatever optional fields it lacks. */
export const routes: readonly Route[] = routeTable;

type TableRoute = (typeof routeTable)[number];

/** The functions that serve API routes. */
export type HandlerName = TableRoute['function'];

/** `METHOD /path` of every route function `F` serves: the keys of its actions. */
export type RouteKeyOf<F extends HandlerName> = TableRoute extends infer R
  ? R extends { function: F; method: infer M extends string; path: infer P extends string }
    ? `${M} ${P}`
    : never
  : never;

export const routeKey = (route: Pick<Route, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;
