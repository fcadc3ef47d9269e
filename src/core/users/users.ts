import { toIso } from '../shared/clock';
import type { Role } from './roles';

export type UserStatus = 'active' | 'pending' | 'disabled' | 'unverified';
export type UserType = 'human' | 'machine';

/** A user as stored; `emailKey` and `usernameKey` are the unique, comparable forms. */
export interface UserRecord {
  id: string;
  email: string;
  emailKey: string;
  username: string | null;
  usernameKey: string | null;
  name: string | null;
  role: Role;
  status: UserStatus;
  type: UserType;
  groups: string[];
  attributes: Record<string, string>;
  passwordHash: string | null;
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
  /**
   * Who set each attribute: an identity provider's at sign-in, or an admin's by hand (never
   * overwritten by a provider). Absent on users made before sources were kept.
   */
  attributeSources?: Record<string, AttributeSource>;
  /** When SSO first signed this user in (a first login creates or links the account). */
  ssoLinkedAt?: number | null;
  // Account linking (API.md): absent on users stored before it; see linkingOf() for the rule.
  /** The email is proven: a mailed link, an owner, the operator, an import or a trusted provider. */
  emailVerified?: boolean;
  /** Federated identities linked to the user, each unique across users (the store enforces it). */
  identities?: FederatedIdentity[];
  /** Who set the password: a role raise by group sync removes one an admin set. */
  passwordSetBy?: PasswordSetter | null;
  /**
   * Credential version (credential-version.ts): moves whenever earlier sessions, links and
   * codes must stop working; absent on users stored before it (counts as 0).
   */
  credentialVersion?: number;
  /** Who set the email (credential-lineage.ts); absent on users stored before it: unknown. */
  emailSetBy?: EmailSetter | null;
}

/** `(provider, subject)`: `jwt` + normalized email for HS256 SSO, `jwt:<iss>` + sub for JWKS. */
export interface FederatedIdentity {
  provider: string;
  subject: string;
  linkedAt: number;
}

/** 'unknown': set through a credential of unknown origin, vouched for by nobody. */
export type PasswordSetter = 'self' | 'owner' | 'admin' | 'operator' | 'import' | 'unknown';

/** Who set an email: 'provider' when a trusted identity provider asserted it. */
export type EmailSetter = PasswordSetter | 'provider';

export type AttributeSource = 'sso' | 'admin';

/** A user as the API shows it: never a password hash. */
export interface PublicUser {
  id: string;
  email: string;
  username: string | null;
  name: string | null;
  role: Role;
  status: UserStatus;
  type: UserType;
  groups: string[];
  attributes: Record<string, string>;
  email_verified: boolean;
  identities: { provider: string; subject: string; linked_at: string }[];
  mfa: { enrolled: boolean; types: string[] };
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
}

/** Usernames never contain '@', so a login names an email exactly when it has one. */
export const USERNAME_PATTERN = /^[\p{L}\p{N}._-]{1,64}$/u;

const canonical = (value: string): string => value.trim().normalize('NFC');

/** The form emails are compared and kept unique in: trimmed, NFC, lower case. */
export const emailKey = (email: string): string => canonical(email).toLowerCase();

/** Usernames are unique and matched case-insensitively, like emails. */
export const usernameKey = (username: string): string => canonical(username).toLowerCase();

export const displayForm = canonical;

export type LoginKey = { kind: 'email'; key: string } | { kind: 'username'; key: string };

export const loginKey = (login: string): LoginKey =>
  login.includes('@')
    ? { kind: 'email', key: emailKey(login) }
    : { kind: 'username', key: usernameKey(login) };

/** Counts toward "at least one active owner", which every change must keep. */
export const isActiveOwner = (user: UserRecord): boolean =>
  user.role === 'owner' && user.status === 'active';

/** A user's MFA summary when the caller has not read its factors (core/mfa userMfaSummary). */
const NOT_ENROLLED: PublicUser['mfa'] = { enrolled: false, types: [] };

export const toPublicUser = (user: UserRecord, mfa = NOT_ENROLLED): PublicUser => ({
  id: user.id,
  email: user.email,
  username: user.username,
  name: user.name,
  role: user.role,
  status: user.status,
  type: user.type,
  groups: user.groups,
  attributes: user.attributes,
  email_verified: linkingOf(user).emailVerified,
  identities: linkingOf(user).identities.map((identity) => ({
    provider: identity.provider,
    subject: identity.subject,
    linked_at: toIso(identity.linkedAt),
  })),
  // Derived from the confirmed factors (core/mfa userMfaSummary) by callers that show it.
  mfa,
  created_at: toIso(user.createdAt),
  updated_at: toIso(user.updatedAt),
  last_sign_in_at: user.lastSignInAt === null ? null : toIso(user.lastSignInAt),
});

/** The identity of HS256 JWT SSO: the email normalized as logins are. */
export const JWT_PROVIDER = 'jwt';

export const sameIdentity =
  (a: Pick<FederatedIdentity, 'provider' | 'subject'>) =>
  (b: Pick<FederatedIdentity, 'provider' | 'subject'>) =>
    a.provider === b.provider && a.subject === b.subject;

/**
 * The migration rule for users stored before account linking (docs/data-model.md), in one
 * place: a stored field always wins. Otherwise the email is proven when SSO signed the user
 * in (a trusted provider asserted it), the user is a machine (a generated address), has no
 * password (made by an owner, the operator, an import or SSO: a sign-up always has one), or is
 * an admin or owner (only an owner makes one, and neither is ever linked by email alone). An
 * `unverified` sign-up, and any other user with a password (a sign-up cannot be told from an
 * owner's creation), is unproven: the worst a wrong "unproven" costs is that the person who
 * holds the address at a trusted provider takes the account over, never a wrong link. A user
 * SSO signed in before keeps that link as the identity (`jwt`, its email key).
 */
export const linkingOf = (
  user: UserRecord,
): { emailVerified: boolean; identities: FederatedIdentity[] } => {
  const identities =
    user.identities ??
    (user.ssoLinkedAt
      ? [{ provider: JWT_PROVIDER, subject: user.emailKey, linkedAt: user.ssoLinkedAt }]
      : []);
  if (user.emailVerified !== undefined) return { emailVerified: user.emailVerified, identities };
  const emailVerified =
    user.status !== 'unverified' &&
    (Boolean(user.ssoLinkedAt) ||
      user.type === 'machine' ||
      user.passwordHash === null ||
      user.role === 'admin' ||
      user.role === 'owner');
  return { emailVerified, identities };
};
