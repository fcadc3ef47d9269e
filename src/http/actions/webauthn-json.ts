import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { OAuthProtocolError } from '../oauth-errors';
import { WebAuthnCredentialJson } from '../webauthn-schemas';

type Parsed = import('zod/mini').infer<typeof WebAuthnCredentialJson>;

// The schema bounded the members the server reads; @simplewebauthn/server checks the rest.

/** A body's `credential` as the assertion the core verifies. */
export const assertionOf = (credential: Parsed) =>
  credential as unknown as AuthenticationResponseJSON;

/** A body's `credential` as the registration the core verifies. */
export const registrationOf = (credential: Parsed) =>
  credential as unknown as RegistrationResponseJSON;

/** The optional proof member of a `/me` body, as `stepUpProofOf` takes it. */
export const proofCredential = (credential: Parsed | undefined) =>
  credential === undefined ? {} : { credential: assertionOf(credential) };

/** The MFA grant's `credential` form field: the assertion's JSON, bounded as a JSON body is. */
export const assertionFromFormField = (field: string): AuthenticationResponseJSON => {
  let value: unknown;
  try {
    value = JSON.parse(field);
  } catch {
    throw new OAuthProtocolError('invalid_request', 'credential: not JSON.');
  }
  const parsed = WebAuthnCredentialJson.safeParse(value);
  if (!parsed.success) {
    throw new OAuthProtocolError('invalid_request', 'credential: not a WebAuthn assertion.');
  }
  return assertionOf(parsed.data);
};
