import type { CoreDeps } from '../shared/deps';
import type { EmailSetter, PasswordSetter, UserRecord } from './users';
import { linkingOf } from './users';

/**
 * Admin influence lineage. Invariant: no credential an admin made or influenced ever carries a
 * role above editor (the most an admin may give); only credentials the person made untainted,
 * or an owner (or the operator/an import) made, carry a raised role (raise-rule.ts enforces it).
 *
 * Every credential records where it came from: a password its setter, an email who set it, a
 * session the origin of the credential that opened it, an API token (and a mailed change-email
 * link) the origin of the session that made it. Whatever is done inside a session an admin's
 * password opened inherits that taint, so it cannot be laundered into 'self'.
 */

/** What opened a session: the password's origin, or a provider ('sso': JWT SSO, federation). */
export type CredentialOrigin = PasswordSetter | 'sso' | 'provider';

/** Origins that vouch for the person (or an owner, the operator, an import): never an admin's. */
const VOUCHED: ReadonlySet<CredentialOrigin> = new Set([
  'self',
  'owner',
  'operator',
  'import',
  'sso',
  'provider',
]);

/** Known and vouched; an unknown origin (legacy, absent, 'unknown') never is. */
export const isVouched = (origin: CredentialOrigin | EmailSetter | null | undefined): boolean =>
  origin !== null && origin !== undefined && VOUCHED.has(origin as CredentialOrigin);

/**
 * The origin of what a session makes for its own account (a password through /me/password,
 * an email through PATCH /me, an API token): the person's own when the session is vouched,
 * else the session's taint ('admin', or 'unknown' for a session of unknown origin).
 */
export const madeInSession = (origin: CredentialOrigin | undefined): PasswordSetter =>
  isVouched(origin) ? 'self' : origin === 'admin' ? 'admin' : 'unknown';

/** The origin a session opened with this user's password gets. */
export const passwordOrigin = (user: UserRecord): CredentialOrigin =>
  user.passwordSetBy ?? 'unknown';

/**
 * A password set through a mailed reset link inherits the origin of the email it was mailed
 * to: an admin-set address gives an admin's password; an unproven or unknown one vouches for
 * nobody ('unknown').
 */
export const passwordFromResetLink = (user: UserRecord): PasswordSetter => {
  if (user.emailSetBy === 'admin') return 'admin';
  return linkingOf(user).emailVerified && isVouched(user.emailSetBy) ? 'self' : 'unknown';
};

/**
 * The origin of the credential a request came in with: its session's, or its API token's.
 * A credential stored before origins were kept is 'unknown'.
 */
export const requestOrigin = async (
  deps: CoreDeps,
  credential: { sid: string; tokenId: string | null },
): Promise<CredentialOrigin> => {
  if (credential.sid) {
    return (await deps.store.getSession(credential.sid))?.origin ?? 'unknown';
  }
  if (credential.tokenId) {
    const token = await deps.store.getApiToken(credential.tokenId);
    if (!token) return 'unknown';
    // A token someone made for this user (an admin for a machine user) speaks for its maker,
    // not the user: what it makes must not count as the user's own (red team C, finding 3).
    if (token.createdBy !== token.userId) return 'admin';
    return token.origin ?? 'unknown';
  }
  return 'unknown';
};
