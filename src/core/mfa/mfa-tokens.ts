import type { ProviderFacts } from '../identity/account-linking';
import { randomSecret, sha256 } from '../shared/ids';

/** API.md: an `mfa_token` lives 300 s. */
export const MFA_TOKEN_MS = 300_000;
const PREFIX = 'mft_';

/** How the first step of the login went: what finishing it needs to open the same session. */
export interface MfaLoginContext {
  /** `reauth`: step-up of an existing session (`sid`), answered with a fresh pair for it. */
  method: 'password' | 'sso' | 'federated' | 'reauth';
  /** The OAuth client of a password grant, which the MFA grant must authenticate as. */
  clientId: string | null;
  sid: string | null;
  /** The first step's RFC 8176 values (`pwd`), to which the factor's are added. */
  amr: string[];
  /** The user's credential version at the first step: a change since (a reset...) voids it. */
  credentialVersion?: number;
  /** The password grant's `scope`, which the MFA grant's session is granted (absent: none asked). */
  scope?: string[];
  /** A provider's login held for the factor: written only once it is verified (sso-account.ts). */
  provider?: ProviderFacts;
}

/** Stored by its SHA-256 only (256 random bits: a plain digest cannot be reversed). */
export interface MfaTokenRecord {
  hash: string;
  userId: string;
  context: MfaLoginContext;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  /** The account's failure count at issue: a count past it and the threshold means a lock since. */
  failuresAtIssue: number;
}

export const newMfaTokenSecret = (): string => `${PREFIX}${randomSecret()}`;

export const mfaTokenHash = (token: string): string => sha256(token);
