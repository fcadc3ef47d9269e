import * as z from 'zod/mini';
import '../core/shared/validation';

/** WebAuthn bodies (API.md, MFA): the credential JSON as the routes and proofs take it. */

const Base64Url = (max: number) =>
  z.string().check(z.minLength(1), z.maxLength(max), z.regex(/^[A-Za-z0-9_-]+={0,2}$/));

/**
 * A WebAuthn `RegistrationResponseJSON` or `AuthenticationResponseJSON` (API.md, MFA): the
 * members the server reads are bounded here, unknown members inside it are ignored, and
 * @simplewebauthn/server checks the rest.
 */
export const WebAuthnCredentialJson = z.looseObject({
  id: Base64Url(1024),
  rawId: Base64Url(1024),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: Base64Url(8192),
    authenticatorData: z.optional(Base64Url(8192)),
    signature: z.optional(Base64Url(1024)),
    userHandle: z.optional(z.nullable(z.string().check(z.maxLength(1024)))),
    attestationObject: z.optional(Base64Url(32_768)),
    transports: z.optional(z.array(z.string().check(z.maxLength(32))).check(z.maxLength(10))),
  }),
  clientExtensionResults: z._default(z.looseObject({}), {}),
});

/** `POST /auth/passkey/verify`: a passkey's assertion over a `/auth/passkey/options` challenge. */
export const PasskeyVerifyBody = z.strictObject({ credential: WebAuthnCredentialJson });

/** `POST /me/mfa/webauthn`: the authenticator's registration answer and the factor's name. */
export const RegisterWebAuthnBody = z.strictObject({
  credential: WebAuthnCredentialJson,
  name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
});

export type PasskeyVerifyBody = z.infer<typeof PasskeyVerifyBody>;
export type RegisterWebAuthnBody = z.infer<typeof RegisterWebAuthnBody>;
