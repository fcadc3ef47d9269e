import { GatehouseError } from '../shared/errors';
import type { CredentialOrigin } from '../users/credential-lineage';

/** A WebAuthn credential (passkey or security key) of a confirmed factor. */
export interface WebAuthnCredential {
  /** base64url credential id, as `AuthenticationResponseJSON.id` carries it. */
  credentialId: string;
  /** base64url COSE public key. */
  publicKey: string;
  /** The authenticator's sign counter at the last accepted assertion. */
  counter: number;
  transports: string[];
  /** base64url of the 32 random bytes given as `user.id`: one per user while they have any. */
  userHandle?: string;
  /**
   * The origin of the session that registered it (credential-lineage.ts): a passkey sign-in's
   * session inherits it, so an admin-tainted session cannot launder itself through a passkey.
   */
  origin?: CredentialOrigin;
}

export type FactorType = 'totp' | 'webauthn';

/** A confirmed factor: listed, and verifies sign-ins. */
export interface MfaFactorRecord {
  factorId: string;
  userId: string;
  type: FactorType;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  confirmedAt: number;
  /** The secret (unpadded base32) and the last accepted 30 s step. */
  totp?: { secret: string; lastStep: number };
  webauthn?: WebAuthnCredential;
}

/** An enrolment awaiting its first code: unlisted, inert, gone after UNCONFIRMED_FACTOR_MS. */
export interface PendingFactorRecord {
  factorId: string;
  userId: string;
  type: FactorType;
  name: string;
  createdAt: number;
  expiresAt: number;
  totp?: { secret: string };
}

/** API.md: unconfirmed factors expire after 10 minutes. */
export const UNCONFIRMED_FACTOR_MS = 10 * 60_000;

/** The recovery codes of a user: scrypt digests under one salt; a new set gets a new salt. */
export interface RecoveryCodeSet {
  salt: string;
  hashes: string[];
}

/** Everything MFA of one user, read in one consistent step. */
export interface MfaState {
  factors: MfaFactorRecord[];
  /** Null when the user has no factor (codes are gone with the last one) or used every code. */
  recovery: RecoveryCodeSet | null;
}

/** The user record's `mfa` (API.md): derived from the confirmed factors on every read. */
export const mfaSummary = (factors: readonly MfaFactorRecord[]) => ({
  enrolled: factors.length > 0,
  types: [...new Set(factors.map((factor) => factor.type))].sort(),
});

/** A factor as `GET /me/mfa` lists it: never the secret or the credential. */
export const toPublicFactor = (factor: MfaFactorRecord) => ({
  factor_id: factor.factorId,
  type: factor.type,
  name: factor.name,
  created_at: new Date(factor.createdAt).toISOString(),
  last_used_at: factor.lastUsedAt === null ? null : new Date(factor.lastUsedAt).toISOString(),
});

/** A session that verified no factor adding one beside the user's: it must verify one first. */
export const unverifiedSession = () =>
  new GatehouseError(
    'forbidden',
    'This session has not verified your second factor: sign in again with it to add another.',
  );
