/** What a WebAuthn challenge was issued for: a challenge of one purpose never serves another. */
export type WebAuthnPurpose = 'register' | 'second-factor' | 'passkey' | 'step-up';

/**
 * A WebAuthn challenge as stored between options and verify: written at options time, taken
 * (deleted, returning it) once at verify time, found by `clientDataJSON.challenge`.
 */
export interface WebAuthnChallengeRecord {
  /** base64url, exactly as the options carried it and clientDataJSON echoes it. */
  challenge: string;
  purpose: WebAuthnPurpose;
  /** The user it was issued to; null for a passkey sign-in (the credential names the user). */
  userId: string | null;
  /** A second factor's challenge: the SHA-256 of the mfa_token it was asked with. */
  mfaTokenHash?: string;
  expiresAt: number;
  /** A registration's `user.id` (base64url), stored with the credential it makes. */
  userHandle?: string;
}

/** API.md: challenges last 300 s. */
export const WEBAUTHN_CHALLENGE_MS = 300_000;

/** The credential-id lookup a passkey sign-in starts from (no user is named otherwise). */
export interface WebAuthnCredentialLookup {
  credentialId: string;
  userId: string;
  factorId: string;
}
