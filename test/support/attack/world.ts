import { createSsoTokenVerifier } from '../../../src/core/identity/sso-token';
import type { Store } from '../../../src/core/shared/store';
import { type Role, roleRank } from '../../../src/core/users/roles';
import { emailKey } from '../../../src/core/users/users';
import { type TestDeps, testDeps } from '../core-deps';
import { type Authorize, authorizerFor } from './judge';
import { defaultOidcSettings, type OidcSettings, oidcProviderEntry } from './oidc-provider';

/**
 * The world the attack properties run in: a few people, each with one mailbox, some of them
 * in the company's JWT SSO provider or its OIDC provider (oidc-provider.ts), and every
 * credential anyone holds, with who made it.
 * The model never asks the code under test who may do what: it only remembers what an owner
 * or a group mapping gave each person, and which actions ended which credentials.
 */

export const PEOPLE = ['root', 'ada', 'pat', 'ceo', 'cfo', 'eve'] as const;
export type Person = (typeof PEOPLE)[number];

/** Each address has one mailbox holder: only that person reads its mail. */
export const EMAILS = [
  'owner@corp.test',
  'ada@corp.test',
  'pat@corp.test',
  'ceo@corp.test',
  'cfo@corp.test',
  'eve@evil.test',
] as const;
export const MAILBOX: Record<string, Person> = {
  'owner@corp.test': 'root',
  'ada@corp.test': 'ada',
  'pat@corp.test': 'pat',
  'ceo@corp.test': 'ceo',
  'cfo@corp.test': 'cfo',
  'eve@evil.test': 'eve',
};

/** People the identity provider knows, and the address it asserts for each. */
export const IDP_PEOPLE = ['ceo', 'cfo', 'pat'] as const satisfies readonly Person[];
export const IDP_EMAIL: Record<(typeof IDP_PEOPLE)[number], string> = {
  ceo: 'ceo@corp.test',
  cfo: 'cfo@corp.test',
  pat: 'pat@corp.test',
};

export const GROUP_MAPPINGS: Record<string, Role> = {
  'g-owner': 'owner',
  'g-admin': 'admin',
  'g-editor': 'editor',
};
export const GROUPS = [...Object.keys(GROUP_MAPPINGS), 'g-staff'];
export const SSO_SECRET = 'attack-model-test-secret-0123456789';

/** The same address as people type it: the store must see one address. */
export const spell = (email: string, variant: number): string => {
  switch (variant % 4) {
    case 1:
      return email.toUpperCase();
    case 2:
      return email.charAt(0).toUpperCase() + email.slice(1);
    case 3:
      return ` ${email.toUpperCase()} `;
    default:
      return email;
  }
};

export type CredentialKind = 'password' | 'refresh' | 'access' | 'api' | 'browser';

export interface Credential {
  id: number;
  kind: CredentialKind;
  secret: string;
  /** Passwords: the login first used with it. */
  login?: string;
  /** The account it was issued for (a password's: the account it was set on). */
  accountId: string;
  sid?: string;
  clientId?: string | null;
  /** Who made it: its power is bounded by what this person was given. */
  maker: Person;
  /** Who knows it: may use it. */
  holders: Set<Person>;
  /** When a revoking action ended it in the model; null while it should work. */
  diedAt: number | null;
  why?: string;
  /** A dead password has been tried once past the bound (sign-in attempts cost bcrypt). */
  triedDead?: boolean;
  /** When its account was disabled (API tokens and passwords fail while it stays so). */
  suspendedAt?: number | null;
  /**
   * An owner moved the account to another address while the person behind it held this
   * credential they made: the owner vouched for it (contract v2 keeps such an email proven),
   * so whatever that address's logins later give the account, this credential may carry.
   */
  vouched?: boolean;
}

export interface ClientHeld {
  clientId: string;
  secret: string;
  maker: Person;
  serviceUserId: string | null;
  deleted: boolean;
}

export interface Mail {
  to: string;
  token: string;
  kind: 'verify' | 'reset';
  used: boolean;
}

export interface Settings {
  requireEmailVerification: boolean;
  ssoNewUsersPending: boolean;
  /** The OIDC provider's entry; unset: the defaults (nothing trusted, no mappings). */
  oidc?: OidcSettings;
}

export interface World {
  deps: TestDeps;
  settings: Settings;
  verifySso: ReturnType<typeof createSsoTokenVerifier>;
  authorize: Authorize;
  creds: Credential[];
  clients: ClientHeld[];
  mails: Mail[];
  /** How many of the mailer's messages are already in `mails`. */
  mailSeen: number;
  /** The highest role an owner (or the operator, or a mapping) gave each person. */
  entitled: Map<Person, Role>;
  /** Who is behind each account now: its creator, or the person whose login linked it. */
  personOf: Map<string, Person>;
  /** What happened, for the counterexample's message. */
  trace: string[];
  counter: number;
}

export const rank = (role: Role | undefined): number => (role ? roleRank(role) : -1);

export const lower = (a: Role, b: Role | undefined): Role | null => {
  if (!b) return null;
  return rank(a) <= rank(b) ? a : b;
};

export const grant = (world: World, person: Person | undefined, role: Role | null) => {
  if (!person || !role) return;
  if (rank(role) > rank(world.entitled.get(person))) world.entitled.set(person, role);
};

export const mailboxOf = (email: string): Person | undefined => MAILBOX[emailKey(email)];

export const ATTACK_ENV = (settings: Settings): Record<string, string> => ({
  SIGN_UP_ENABLED: '1',
  SIGN_UP_ROLE: 'viewer',
  REQUIRE_EMAIL_VERIFICATION: settings.requireEmailVerification ? '1' : '0',
  RATE_LIMIT_PER_IP: '0',
  RATE_LIMIT_PER_EMAIL: '0',
  // The properties judge credentials, not the lockout (its own tests race it).
  LOCKOUT_THRESHOLD: '100',
  SSO_JWT_SECRET: SSO_SECRET,
  SSO_GROUP_SYNC: '1',
  SSO_GROUP_MAPPINGS: JSON.stringify(GROUP_MAPPINGS),
  SSO_DEFAULT_ROLE: 'viewer',
  SSO_NEW_USERS: settings.ssoNewUsersPending ? 'pending' : 'active',
  IDENTITY_PROVIDERS: JSON.stringify([oidcProviderEntry(settings.oidc ?? defaultOidcSettings)]),
});

export const emptyWorld = (store: Store, settings: Settings): World => {
  const deps = testDeps(ATTACK_ENV(settings), store);
  const sso = deps.config.sso;
  if (!sso) throw new Error('the attack world needs SSO set up');
  return {
    deps,
    settings,
    verifySso: createSsoTokenVerifier(sso, deps.clock.now),
    authorize: authorizerFor(deps),
    creds: [],
    clients: [],
    mails: [],
    mailSeen: 0,
    entitled: new Map(),
    personOf: new Map(),
    trace: [],
    counter: 0,
  };
};
