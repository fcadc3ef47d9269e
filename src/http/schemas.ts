import * as z from 'zod/mini';
import '../core/shared/validation';
import { ID_TOKEN_ALGS } from '../core/oauth/clients';
import { Cursor, Limit } from '../core/shared/listing-query';
import { ROLES } from '../core/users/roles';
import { USERNAME_PATTERN } from '../core/users/users';
import { WebAuthnCredentialJson } from './webauthn-schemas';

/** Request bodies. Strict: an unknown field is a 400, as the contract says for writes. */
export const SignInBody = z.strictObject({
  login: z.string().check(z.trim(), z.minLength(1), z.maxLength(320)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});

export const RefreshBody = z.strictObject({
  refresh_token: z.string().check(z.minLength(1), z.maxLength(512)),
});

export const SignOutBody = z
  .strictObject({
    refresh_token: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
    all: z.optional(z.literal(true)),
  })
  .check(
    z.refine((body) => body.refresh_token === undefined || body.all === undefined, {
      message: 'give refresh_token or all: true, not both',
    }),
  );

const MfaToken = z.string().check(z.minLength(1), z.maxLength(128));

/** `POST /auth/mfa/verify`: the sign-in's mfa_token and a TOTP or recovery code, or an assertion. */
export const MfaVerifyBody = z
  .strictObject({
    mfa_token: MfaToken,
    code: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
    credential: z.optional(WebAuthnCredentialJson),
  })
  .check(
    z.refine((body) => (body.code === undefined) !== (body.credential === undefined), {
      message: 'give code or credential, exactly one',
    }),
  );

/** `POST /auth/mfa/challenge`: which factor to challenge (a WebAuthn one). */
export const MfaChallengeBody = z.strictObject({
  mfa_token: MfaToken,
  factor_id: z.string().check(z.minLength(1), z.maxLength(128)),
});

export type SignInBody = z.infer<typeof SignInBody>;
export type MfaVerifyBody = z.infer<typeof MfaVerifyBody>;
export type MfaChallengeBody = z.infer<typeof MfaChallengeBody>;
export type RefreshBody = z.infer<typeof RefreshBody>;
export type SignOutBody = z.infer<typeof SignOutBody>;

const Email = z.email().check(z.maxLength(254));
const Username = z.string().check(z.trim(), z.regex(USERNAME_PATTERN));
const Name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const Role = z.enum(ROLES);
/** Attribute names are plain identifiers: never `__proto__` and friends. */
const AttributeName = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/));
const Attributes = z
  .record(AttributeName, z.string().check(z.maxLength(1024)))
  .check(z.refine((value) => Object.keys(value).length <= 50, 'at most 50 attributes'));

export const CreateUserBody = z.strictObject({
  email: z.optional(Email),
  username: z.optional(Username),
  name: z.optional(Name),
  role: Role,
  password: z.optional(z.string().check(z.maxLength(1024))),
  type: z.optional(z.enum(['human', 'machine'])),
  status: z.optional(z.enum(['active', 'pending'])),
  // Account linking: users created ahead of their first federated login.
  identities: z.optional(
    z
      .array(
        z.strictObject({
          provider: z.string().check(z.minLength(1), z.maxLength(256)),
          subject: z.string().check(z.minLength(1), z.maxLength(512)),
        }),
      )
      .check(z.maxLength(10)),
  ),
});

export const UpdateUserBody = z
  .strictObject({
    name: z.optional(z.nullable(Name)),
    username: z.optional(z.nullable(Username)),
    email: z.optional(Email),
    role: z.optional(Role),
    status: z.optional(z.enum(['active', 'disabled'])),
    attributes: z.optional(Attributes),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'give at least one field to change'));

export const ResetPasswordBody = z.strictObject({
  password: z.optional(z.string().check(z.maxLength(1024))),
});

/** `DELETE /users/{id}/identities`: the identity to unlink, bounded as `POST /users` takes it. */
export const UnlinkIdentityQuery = z.strictObject({
  provider: z.string().check(z.minLength(1), z.maxLength(256)),
  subject: z.string().check(z.minLength(1), z.maxLength(512)),
});

export type CreateUserBody = z.infer<typeof CreateUserBody>;
export type UnlinkIdentityQuery = z.infer<typeof UnlinkIdentityQuery>;
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;
export type ResetPasswordBody = z.infer<typeof ResetPasswordBody>;

const ScopeName = z.string().check(z.regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/));
const Flag = z.pipe(
  z.enum(['true', 'false']),
  z.transform((value) => value === 'true'),
);

export const CreateTokenBody = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  scopes: z.optional(z.array(ScopeName).check(z.minLength(1), z.maxLength(100))),
  expires_in: z.optional(z.number().check(z.int(), z.gte(60), z.lte(10 * 365 * 86_400))),
  user_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  renewable: z.optional(z.boolean()),
});

export const ListTokensQuery = z.strictObject({
  all: z.optional(Flag),
  include_revoked: z.optional(Flag),
  limit: z.optional(Limit),
  cursor: z.optional(Cursor),
});

export type CreateTokenBody = z.infer<typeof CreateTokenBody>;
export type ListTokensQuery = z.infer<typeof ListTokensQuery>;

/** RFC 7662 and RFC 7009 requests; unknown parameters are ignored, as the RFCs say. */
export const TokenForm = z.object({
  token: z.string().check(z.minLength(1), z.maxLength(8192)),
  token_type_hint: z.optional(z.string().check(z.maxLength(64))),
  // client_secret_post (RFC 6749 §2.3.1); Basic is preferred.
  client_id: z.optional(z.string().check(z.maxLength(128))),
  client_secret: z.optional(z.string().check(z.maxLength(256))),
});

/** Exact redirect URIs: https, or http on a loopback host for development. */
const RedirectUri = z.url().check(
  z.maxLength(2048),
  z.refine((value) => {
    // Refinements run even after z.url() failed: an unparsable value is refused, not thrown.
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) && !url.hash;
  }, 'must be https (or http on localhost), without a fragment'),
);

export const CreateClientBody = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  redirect_uris: z.optional(z.array(RedirectUri).check(z.maxLength(20))),
  post_logout_redirect_uris: z.optional(z.array(RedirectUri).check(z.maxLength(20))),
  grant_types: z
    .array(z.enum(['authorization_code', 'refresh_token', 'client_credentials', 'password']))
    .check(z.minLength(1)),
  confidential: z.boolean(),
  first_party: z.optional(z.boolean()),
  id_token_signed_response_alg: z.optional(z.enum(ID_TOKEN_ALGS)),
});

export const ListClientsQuery = z.strictObject({
  limit: z.optional(Limit),
  cursor: z.optional(Cursor),
});

export type CreateClientBody = z.infer<typeof CreateClientBody>;
export type ListClientsQuery = z.infer<typeof ListClientsQuery>;

export type TokenForm = z.infer<typeof TokenForm>;

/** RFC 6749 §4 token requests; which parameters a grant needs is checked by the grant. */
export const TokenRequestForm = z.object({
  grant_type: z.string().check(z.minLength(1), z.maxLength(64)),
  refresh_token: z.optional(z.string().check(z.maxLength(512))),
  code: z.optional(z.string().check(z.maxLength(512))),
  redirect_uri: z.optional(z.string().check(z.maxLength(2048))),
  code_verifier: z.optional(z.string().check(z.maxLength(256))),
  username: z.optional(z.string().check(z.maxLength(320))),
  password: z.optional(z.string().check(z.maxLength(1024))),
  scope: z.optional(z.string().check(z.maxLength(2048))),
  client_id: z.optional(z.string().check(z.maxLength(128))),
  client_secret: z.optional(z.string().check(z.maxLength(256))),
  /** The MFA grant (urn:gatehouse:grant-type:mfa): the password grant's mfa_token, with `code`. */
  mfa_token: z.optional(z.string().check(z.maxLength(128))),
  /** The MFA grant with a WebAuthn assertion instead of `code`: its JSON, as one form field. */
  credential: z.optional(z.string().check(z.maxLength(49_152))),
});

export type TokenRequestForm = z.infer<typeof TokenRequestForm>;

/**
 * `GET /auth/sso`: the first leg (`return_to`, and for a single-page app on another origin a
 * PKCE S256 challenge with its `client_id`), or the provider's callback (`jwt`).
 */
export const SsoQuery = z.object({
  return_to: z.optional(z.string().check(z.maxLength(2048))),
  jwt: z.optional(z.string().check(z.minLength(1), z.maxLength(16_384))),
  code_challenge: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/))),
  code_challenge_method: z.optional(z.literal('S256')),
  client_id: z.optional(z.string().check(z.maxLength(128))),
});

export type SsoQuery = z.infer<typeof SsoQuery>;

/** `GET /auth/federated/{id}`: where to land, and SSO's PKCE hand-off to an app. */
export const FederatedStartQuery = z.object({
  return_to: z.optional(z.string().check(z.maxLength(2048))),
  code_challenge: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/))),
  code_challenge_method: z.optional(z.literal('S256')),
  client_id: z.optional(z.string().check(z.maxLength(128))),
});

export type FederatedStartQuery = z.infer<typeof FederatedStartQuery>;

/** `GET /auth/federated/{id}/callback`: the provider's authorization response (RFC 6749, RFC 9207). */
export const FederatedCallbackQuery = z.object({
  code: z.optional(z.string().check(z.maxLength(4096))),
  state: z.optional(z.string().check(z.maxLength(1024))),
  iss: z.optional(z.string().check(z.maxLength(2048))),
  error: z.optional(z.string().check(z.maxLength(256))),
  error_description: z.optional(z.string().check(z.maxLength(2048))),
});

export type FederatedCallbackQuery = z.infer<typeof FederatedCallbackQuery>;

/** Account self-service (API.md): sign-up, verification, recovery, and the signed-in user. */
const NewPassword = z.string().check(z.minLength(1), z.maxLength(1024));
const OneTimeToken = z.string().check(z.minLength(1), z.maxLength(128));

export const SignUpBody = z.strictObject({
  email: Email,
  password: NewPassword,
  username: z.optional(Username),
  name: z.optional(Name),
});

export const EmailBody = z.strictObject({ email: Email });

/** `password`: the account's own, so a link that proves its address keeps it (API.md note). */
export const OneTimeTokenBody = z.strictObject({
  token: OneTimeToken,
  password: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
});

export const PasswordResetBody = z.strictObject({ token: OneTimeToken, password: NewPassword });

/** Step-up proof (API.md "Proof (step-up)"): the password, a TOTP or recovery code, or an assertion. */
const ProofPassword = z.string().check(z.minLength(1), z.maxLength(1024));
const ProofCode = z.string().check(z.minLength(1), z.maxLength(64));
const ProofCredential = WebAuthnCredentialJson;

/** Proof by `current_password` or `code`; neither: the session's sign-in must be recent. */
export const ChangePasswordBody = z.strictObject({
  current_password: z.optional(ProofPassword),
  code: z.optional(ProofCode),
  credential: z.optional(ProofCredential),
  new_password: NewPassword,
});

export const UpdateMeBody = z
  .strictObject({
    name: z.optional(z.nullable(Name)),
    username: z.optional(z.nullable(Username)),
    email: z.optional(Email),
    /** Step-up proof for a new email (API.md). */
    password: z.optional(ProofPassword),
    code: z.optional(ProofCode),
    credential: z.optional(ProofCredential),
  })
  .check(
    z.refine(
      (body) => Object.keys(body).some((key) => !['password', 'code', 'credential'].includes(key)),
      'give at least one field to change',
    ),
  );

/** `DELETE /me` and the `/me/mfa` writes: step-up proof, or none with a recent sign-in. */
export const StepUpBody = z.strictObject({
  password: z.optional(ProofPassword),
  code: z.optional(ProofCode),
  credential: z.optional(ProofCredential),
});

export const DeleteMeBody = StepUpBody;

/** `POST /me/mfa/totp`: the factor's name (default "Authenticator app") and step-up proof. */
export const EnrolTotpBody = z.strictObject({
  name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  password: z.optional(ProofPassword),
  code: z.optional(ProofCode),
  credential: z.optional(ProofCredential),
});

export const ConfirmTotpBody = z.strictObject({ code: ProofCode });

export type SignUpBody = z.infer<typeof SignUpBody>;
export type EmailBody = z.infer<typeof EmailBody>;
export type OneTimeTokenBody = z.infer<typeof OneTimeTokenBody>;
export type PasswordResetBody = z.infer<typeof PasswordResetBody>;
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;
export type DeleteMeBody = z.infer<typeof DeleteMeBody>;
export type StepUpBody = z.infer<typeof StepUpBody>;
export type EnrolTotpBody = z.infer<typeof EnrolTotpBody>;
export type ConfirmTotpBody = z.infer<typeof ConfirmTotpBody>;

// The listings' filters are the core's (one check for the API, the console and the CLI).
export { AuditQuery } from '../core/audit/audit-log';
export { ListUsersQuery } from '../core/users/user-listing';
