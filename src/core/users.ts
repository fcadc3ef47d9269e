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
}

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

const iso = (ms: number): string => new Date(ms).toISOString();

export const toPublicUser = (user: UserRecord): PublicUser => ({
  id: user.id,
  email: user.email,
  username: user.username,
  name: user.name,
  role: user.role,
  status: user.status,
  type: user.type,
  groups: user.groups,
  attributes: user.attributes,
  created_at: iso(user.createdAt),
  updated_at: iso(user.updatedAt),
  last_sign_in_at: user.lastSignInAt === null ? null : iso(user.lastSignInAt),
});
