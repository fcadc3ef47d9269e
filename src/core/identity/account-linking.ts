import { decodeProtectedHeader } from 'jose';
import { type RequestMeta, recordAudit } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { isAtLeast, type Role, roleRank } from '../users/roles';
import type { Actor } from '../users/user-policy';
import {
  emailKey,
  type FederatedIdentity,
  JWT_PROVIDER,
  linkingOf,
  type PasswordSetter,
  sameIdentity,
  type UserRecord,
} from '../users/users';
import type { SsoProfile } from './claim-profile';

/**
 * Account linking (API.md): which account a federated login is, and what it may keep.
 * Invariants: one account per identity and per normalized email (the store's unique items);
 * a bare email match links only to a proven email and never to an admin or owner; a login
 * matching an unproven email takes the account over, and its earlier credentials die first;
 * no credential made by a non-owner carries a role that group sync raised.
 */

/** A login's claim to an identity; `emailTrusted`: the provider vouches for the email. */
export interface FederatedLogin {
  identity: Pick<FederatedIdentity, 'provider' | 'subject'>;
  email: string;
  emailTrusted: boolean;
}

/**
 * The identity of a verified SSO token: HS256 JWT SSO is (`jwt`, the normalized email);
 * an SSO_JWKS_URL token is (`jwt:<iss>`, `sub`, else the normalized email). A JWKS token's
 * email is vouched for only when it says `email_verified` is boolean true or the string
 * "true" (some bridges send strings): "false", absent, or anything else is unverified.
 */
export const ssoLogin = (
  token: string,
  claims: { iss?: string; sub?: string; email_verified?: unknown },
  email: string,
): FederatedLogin => {
  // The verifier has accepted the token: its header says which key source signed it.
  const { alg } = decodeProtectedHeader(token);
  const key = emailKey(email);
  if (alg === 'HS256') {
    return { identity: { provider: JWT_PROVIDER, subject: key }, email, emailTrusted: true };
  }
  const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : key;
  const provider = `${JWT_PROVIDER}:${claims.iss ?? ''}`;
  // As POST /users bounds them: an identity is a key in the store.
  if (subject.length > 512 || provider.length > 256) {
    throw new GatehouseError('token_invalid', 'The SSO token’s iss or sub is too long.');
  }
  return {
    identity: { provider, subject },
    email,
    // Only an explicit yes: a string "false", a number, null or any other value is no.
    emailTrusted: claims.email_verified === true || claims.email_verified === 'true',
  };
};

/**
 * What a provider's login asserts about the account, kept unwritten (in the mfa_token's context
 * when a factor is due) until the sign-in passes its gate; applied by sso-account.ts alone.
 */
export interface ProviderFacts {
  login: FederatedLogin;
  profile: SsoProfile;
  /** The role group sync gives (login-policy.ts roleFromGroups), or null: left alone. */
  mappedRole: Role | null;
  /** The account's password proved a link an email alone may not make (pending-link.ts). */
  passwordConfirmed?: true;
}

export type LinkPlan =
  /** The identity is linked to this user already (or was, before linking was stored). */
  | { kind: 'linked'; user: UserRecord }
  /** A proven email of a user who is neither admin nor owner: link the identity. */
  | { kind: 'link'; user: UserRecord }
  /** An unproven email: the login takes the account over. */
  | { kind: 'takeover'; user: UserRecord }
  /**
   * A proven email of an admin or owner: never linked by email alone. The hosted page asks
   * for the account's password first (pending-link.ts); elsewhere the login is 409.
   */
  | { kind: 'confirm'; user: UserRecord }
  | { kind: 'create' };

const conflict = (message: string) => new GatehouseError('conflict', message);

/** Decides, from what is stored now, which account a login is. Writes nothing. */
export const planLink = async (deps: CoreDeps, login: FederatedLogin): Promise<LinkPlan> => {
  const { provider, subject } = login.identity;
  const linked = await deps.store.findUserByIdentity(provider, subject);
  if (linked) return { kind: 'linked', user: linked };
  const holder = await deps.store.findUserByEmail(emailKey(login.email));
  if (!holder) return { kind: 'create' };
  const { emailVerified, identities } = linkingOf(holder);
  // Users SSO signed in before identities were stored (the migration rule in users.ts).
  if (identities.some(sameIdentity(login.identity))) return { kind: 'linked', user: holder };
  if (holder.type === 'machine') {
    throw new GatehouseError('forbidden', 'A machine user cannot sign in through SSO.');
  }
  if (!login.emailTrusted) {
    throw conflict('An account already holds this email, and the provider does not vouch for it.');
  }
  // Before the takeover: an admin or owner account is never taken over by email alone (an
  // admin-set alias would take a raised account); a proven one is linked only once the person
  // proves the account on the hosted page (pending-link.ts).
  if (isAtLeast(holder.role, 'admin')) {
    if (emailVerified) return { kind: 'confirm', user: holder };
    throw conflict(
      'An admin or owner account is never taken over by email: an owner links it by creating the user with this identity.',
    );
  }
  if (!emailVerified) return { kind: 'takeover', user: holder };
  return { kind: 'link', user: holder };
};

/** The answer where no hosted page can ask for the account's password. */
export const confirmRefused = () =>
  conflict(
    'An admin or owner account is never linked by email alone: sign in through the hosted page with its password, or an owner links it by creating the user with this identity.',
  );

/** The identity as a user stores it. */
export const linkedIdentity = (login: FederatedLogin, at: number): FederatedIdentity => ({
  ...login.identity,
  linkedAt: at,
});

/**
 * What a takeover leaves of the account, not yet saved: no password, no other identity, the
 * email proven. Whoever made the unproven account keeps nothing.
 */
export const takenOver = (user: UserRecord, login: FederatedLogin, at: number): UserRecord => ({
  ...user,
  passwordHash: null,
  passwordSetBy: null,
  identities: [linkedIdentity(login, at)],
  emailVerified: true,
  // An address an admin chose stays admin-set whoever proves it (the admin may hold it at the
  // provider too): only an owner's change clears that (red team C, finding 2).
  emailSetBy: user.emailSetBy === 'admin' ? 'admin' : 'provider',
});

/**
 * Ends every credential of the account that the takeover's (or the mailed link's) person did
 * not make: sessions, API tokens and remembered consents. Not its factors: a role raise calls
 * this too and keeps them; a takeover calls takeOverUnprovenAccount (takeover.ts), which does.
 */
export const removeCredentialsForTakeover = async (
  deps: CoreDeps,
  userId: string,
  at: number,
  keepSid?: string,
): Promise<void> => {
  const consents = await deps.store.listConsents(userId);
  await Promise.all([
    deps.store.revokeUserSessions(userId, at, { keepSid }),
    deps.store.revokeUserApiTokens(userId, at),
    ...consents.map((consent) => deps.store.deleteConsent(userId, consent.clientId)),
  ]);
};

export const raisesRole = (before: Role, after: Role) => roleRank(after) > roleRank(before);

/** `user.link`, as the contract names it. */
export const auditLink = (
  deps: CoreDeps,
  meta: RequestMeta,
  userId: string,
  login: FederatedLogin,
  takeover: boolean,
) =>
  recordAudit(deps, meta, {
    action: 'user.link',
    actorId: null,
    targetId: userId,
    detail: { ...login.identity, takeover },
  });

/** Who sets a password: only an owner's or the operator's carries a role an owner gives. */
export const passwordSetter = (actor: Actor): PasswordSetter =>
  actor.kind === 'operator' ? 'operator' : actor.user.role === 'owner' ? 'owner' : 'admin';

/** The same identity named twice is one. */
export const uniqueIdentities = (given: { provider: string; subject: string }[]) => {
  // HS256 JWT SSO names people by the normalized email: store it in the form logins look up.
  const identities = given.map((i) =>
    i.provider === JWT_PROVIDER ? { ...i, subject: emailKey(i.subject) } : i,
  );
  return identities.filter(
    (a, index) =>
      identities.findIndex((b) => a.provider === b.provider && a.subject === b.subject) === index,
  );
};

/**
 * API.md, Account linking: an email an admin changes is unproven and the user's federated
 * identities go with the old address; an owner's (or the operator's) change stays proven.
 */
export const emailChangedBy = (actor: Actor, before: UserRecord): Partial<UserRecord> =>
  actor.kind === 'user' && actor.user.role !== 'owner'
    ? { emailVerified: false, identities: [] }
    : { emailVerified: true, identities: linkingOf(before).identities };
