import { secretShape } from '../shared/base64url';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { randomSecret, sha256 } from '../shared/ids';
import type { PasswordSetter } from '../users/users';

/**
 * What a one-time token proves: control of an email address (a sign-up's, or a new one for
 * an address change), or the right to set a password; or a browser's pending step (an account
 * link, an OIDC federation flow) kept server-side.
 */
export type OneTimePurpose =
  | 'verify_email'
  | 'change_email'
  | 'reset_password'
  | 'link_account'
  | 'federation_flow';

/** Kept only as its SHA-256 (`hash`); spent once. */
export interface OneTimeTokenRecord {
  hash: string;
  purpose: OneTimePurpose;
  userId: string;
  /** The address the token was mailed to: the one it verifies. */
  email: string;
  /** The user's credentialVersion when mailed (absent: 0); void once it moved. */
  credentialVersion?: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  /** What a pending account link or federation flow carries (pending-link.ts, federation-flow.ts), as JSON; others have none. */
  payload?: string;
  /** A change-email link: the origin of the session that asked (credential-lineage.ts). */
  origin?: PasswordSetter;
}

const PREFIX: Record<OneTimePurpose, string> = {
  verify_email: 'evt_',
  change_email: 'evt_',
  reset_password: 'prt_',
  link_account: 'glk_',
  federation_flow: 'gff_',
};
const SHAPE = secretShape(['evt_', 'prt_']);

export const issueOneTimeToken = async (
  deps: CoreDeps,
  grant: {
    purpose: OneTimePurpose;
    userId: string;
    email: string;
    ttlSeconds: number;
    credentialVersion: number;
    origin?: PasswordSetter;
  },
): Promise<string> => {
  const token = `${PREFIX[grant.purpose]}${randomSecret()}`;
  const now = deps.clock.now();
  await deps.store.createOneTimeToken({
    hash: sha256(token),
    purpose: grant.purpose,
    userId: grant.userId,
    email: grant.email,
    credentialVersion: grant.credentialVersion,
    createdAt: now,
    expiresAt: now + grant.ttlSeconds * 1000,
    usedAt: null,
    ...(grant.origin ? { origin: grant.origin } : {}),
  });
  return token;
};

const refused = () =>
  new GatehouseError('record_invalid', 'token: invalid, already used or expired.');

/**
 * Spends a token of one of `purposes`: it is gone after one try, right or wrong, so a guess
 * or a replay costs the real one nothing but is never accepted.
 */
export const spendOneTimeToken = async (
  deps: CoreDeps,
  token: string,
  purposes: readonly OneTimePurpose[],
): Promise<OneTimeTokenRecord> => {
  if (!SHAPE.test(token)) throw refused();
  const now = deps.clock.now();
  const record = await deps.store.consumeOneTimeToken(sha256(token), now);
  if (!record || record.expiresAt <= now || !purposes.includes(record.purpose)) throw refused();
  return record;
};
