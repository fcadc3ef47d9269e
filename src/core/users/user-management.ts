import { type RequestMeta, recordAudit } from '../audit/audit';
import { emailChangedBy, passwordSetter, uniqueIdentities } from '../identity/account-linking';
import { forgetFactors } from '../mfa';
import { credentialVersionOf, nextCredentialVersion } from '../sessions/credential-version';
import { assertPasswordAllowed } from '../sessions/password-policy';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { newId } from '../shared/ids';
import { generateStrongPassword } from './default-owner';
import { showUser } from './public-user';
import {
  assertEmailMayBeRaised,
  cleanUpBeforeRaise,
  passwordOnRaise,
  raisesAboveAdminReach,
} from './raise-rule';
import type { Role } from './roles';
import {
  type Actor,
  assertCanCreate,
  assertCanDelete,
  assertCanEdit,
  assertCanManage,
  assertCanSetRole,
  assertCanSetStatus,
  auditActor,
  operatorDetail,
} from './user-policy';
import type { EmailSetter, PasswordSetter, UserStatus, UserType } from './users';
import {
  displayForm,
  emailKey,
  isActiveOwner,
  linkingOf,
  type PublicUser,
  toPublicUser,
  type UserRecord,
  usernameKey,
} from './users';

export interface NewUser {
  email?: string;
  username?: string;
  name?: string;
  role: Role;
  password?: string;
  type?: UserType;
  status?: 'active' | 'pending' | 'unverified';
  attributes?: Record<string, string>;
  /** Users created ahead of their first federated login (owner or operator only). */
  identities?: { provider: string; subject: string }[];
  /** Proven unless said otherwise: only a self sign-up makes an unproven email. */
  emailVerified?: boolean;
  passwordSetBy?: PasswordSetter;
  /** Who set the email; by default the creating actor (an owner or the operator). */
  emailSetBy?: EmailSetter;
}

export interface UserChanges {
  name?: string | null;
  username?: string | null;
  email?: string;
  role?: Role;
  status?: 'active' | 'disabled';
  attributes?: Record<string, string>;
}

const notFound = () => new GatehouseError('not_found', 'No such user.');

const invalid = (message: string) => new GatehouseError('record_invalid', message);

export const loadUser = async (deps: CoreDeps, id: string): Promise<UserRecord> => {
  const user = await deps.store.getUser(id);
  if (!user) throw notFound();
  return user;
};

/**
 * The one place a user's sessions end after a change that must reach their tokens. Given the
 * user as saved, only sessions from before it end: one a sign-in opened after the change (at
 * the new credentialVersion, so with what the change set) stays.
 */
const endSessionsOf = (deps: CoreDeps, userId: string, saved?: UserRecord) =>
  deps.store.revokeUserSessions(
    userId,
    deps.clock.now(),
    saved ? { belowVersion: credentialVersionOf(saved) } : {},
  );

/** A user now waits for approval: EventBridge `user.pending` on AWS, a log line locally. */
export const announcePending = (deps: CoreDeps, user: UserRecord) =>
  deps.events.publish({
    type: 'user.pending',
    user: {
      id: user.id,
      email: user.email,
      username: user.username,
      name: user.name,
      role: user.role,
      type: user.type,
    },
  });

/** Machine users get an identity nobody can mail or sign in with. */
const machineIdentity = (id: string) => {
  const short = id.replaceAll('-', '').slice(0, 12);
  return { email: `machine-${short}@machines.invalid`, username: `machine-${short}` };
};

export const createUser = async (
  deps: CoreDeps,
  actor: Actor,
  input: NewUser,
  meta: RequestMeta,
): Promise<PublicUser> => {
  assertCanCreate(actor);
  const type = input.type ?? 'human';
  const id = newId();
  let { email, username } = input;
  if (type === 'machine') {
    if (input.password !== undefined) throw invalid('password: machine users have no password.');
    if (input.status === 'pending') throw invalid('status: machine users cannot be pending.');
    const generated = machineIdentity(id);
    email ??= generated.email;
    username ??= generated.username;
  }
  if (!email) throw invalid('email: is required for a human user.');
  if (input.password !== undefined) {
    await assertPasswordAllowed(
      'password',
      input.password,
      { minLength: deps.config.passwordMinLength },
      {
        email,
        username: username ?? null,
      },
    );
  }
  const now = deps.clock.now();
  const user: UserRecord = {
    id,
    email: displayForm(email),
    emailKey: emailKey(email),
    username: username ? displayForm(username) : null,
    usernameKey: username ? usernameKey(username) : null,
    name: input.name ?? null,
    role: input.role,
    status: input.status ?? 'active',
    type,
    groups: [],
    attributes: input.attributes ?? {},
    passwordHash: input.password === undefined ? null : await deps.hasher.hash(input.password),
    passwordSetBy:
      input.password === undefined ? null : (input.passwordSetBy ?? passwordSetter(actor)),
    emailVerified: input.emailVerified ?? true,
    emailSetBy: input.emailSetBy ?? passwordSetter(actor),
    identities: uniqueIdentities(input.identities ?? []).map((i) => ({ ...i, linkedAt: now })),
    createdAt: now,
    updatedAt: now,
    lastSignInAt: null,
  };
  await deps.store.createUser(user);
  await recordAudit(deps, meta, {
    action: 'user.create',
    ...auditActor(actor),
    targetId: id,
    detail: { role: user.role, type, status: user.status, ...operatorDetail(actor) },
  });
  for (const identity of user.identities ?? []) {
    await recordAudit(deps, meta, {
      action: 'user.link',
      ...auditActor(actor),
      targetId: id,
      detail: { provider: identity.provider, subject: identity.subject, takeover: false },
    });
  }
  if (user.status === 'pending') await announcePending(deps, user);
  return toPublicUser(user);
};

/** What a change touches, for the audit trail: field names, never values of secrets. */
const changedFields = (before: UserRecord, after: UserRecord): string[] =>
  (['email', 'username', 'name', 'role', 'status', 'attributes'] as const).filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );

export const updateUser = async (
  deps: CoreDeps,
  actor: Actor,
  id: string,
  changes: UserChanges,
  meta: RequestMeta,
): Promise<PublicUser> => {
  const before = await loadUser(deps, id);
  const after: UserRecord = {
    ...before,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.email !== undefined
      ? { email: displayForm(changes.email), emailKey: emailKey(changes.email) }
      : {}),
    ...(changes.email !== undefined && emailKey(changes.email) !== before.emailKey
      ? { ...emailChangedBy(actor, before), emailSetBy: passwordSetter(actor) }
      : {}),
    ...(changes.username !== undefined
      ? {
          username: changes.username === null ? null : displayForm(changes.username),
          usernameKey: changes.username === null ? null : usernameKey(changes.username),
        }
      : {}),
    ...(changes.role !== undefined ? { role: changes.role } : {}),
    ...(changes.status !== undefined ? { status: changes.status as UserStatus } : {}),
    ...(changes.attributes !== undefined
      ? {
          attributes: changes.attributes,
          // Set by hand: no identity provider overwrites these at a later sign-in.
          attributeSources: Object.fromEntries(
            Object.keys(changes.attributes).map((key) => [key, 'admin' as const]),
          ),
        }
      : {}),
    updatedAt: Math.max(deps.clock.now(), before.updatedAt + 1),
  };
  // A role, status or email change voids earlier sessions, links and codes.
  if (
    after.role !== before.role ||
    after.status !== before.status ||
    after.emailKey !== before.emailKey
  ) {
    after.credentialVersion = nextCredentialVersion(before).credentialVersion;
  }
  await assertKeepsAnOwner(deps, before, after);
  if (changes.role !== undefined && changes.role !== before.role) {
    assertCanSetRole(actor, before, changes.role);
  }
  if (changes.status !== undefined && changes.status !== before.status) {
    assertCanSetStatus(actor, before);
    if (before.status === 'pending' || before.status === 'unverified') {
      throw new GatehouseError(
        'conflict',
        `This user is ${before.status}: approve or verify them instead.`,
      );
    }
  }
  assertCanEdit(actor, before);
  const fields = changedFields(before, after);
  if (fields.length === 0) {
    // A repeated role or status change re-runs its sweep (sessions below the saved version):
    // a sweep that failed after the change was saved is retried by repeating the request.
    if (changes.role !== undefined || changes.status !== undefined) {
      await endSessionsOf(deps, id, before);
    }
    return showUser(deps, before);
  }
  const raised = raisesAboveAdminReach(before, after);
  if (raised) assertEmailMayBeRaised(after);
  const saved = raised ? { ...after, ...passwordOnRaise(before) } : after;
  // Clean-up first (raise-rule.ts): nothing an admin made is ever live with the raised role,
  // and a failed clean-up leaves the old role.
  if (raised) await cleanUpBeforeRaise(deps, before, deps.clock.now());
  await deps.store.updateUser(before, saved);
  // Again after saving: what a concurrent sign-in opened (or minted) meanwhile dies too.
  if (raised) await cleanUpBeforeRaise(deps, before, deps.clock.now());
  if (after.role !== before.role || after.status !== before.status) {
    await endSessionsOf(deps, id, saved);
  }
  const dropped = linkingOf(before).identities.length - (after.identities?.length ?? 0);
  await recordAudit(deps, meta, {
    action: 'user.update',
    ...auditActor(actor),
    targetId: id,
    detail: {
      fields: fields.join(' '),
      ...(before.emailKey !== after.emailKey
        ? { email_verified: after.emailVerified === true, identities_dropped: dropped }
        : {}),
      ...(after.role !== before.role ? { from_role: before.role, to_role: after.role } : {}),
      ...(after.status !== before.status
        ? { from_status: before.status, to_status: after.status }
        : {}),
      ...operatorDetail(actor),
    },
  });
  return showUser(deps, saved);
};

export const deleteUser = async (
  deps: CoreDeps,
  actor: Actor,
  id: string,
  meta: RequestMeta,
  action = 'user.delete',
): Promise<void> => {
  const user = await loadUser(deps, id);
  await assertKeepsAnOwner(deps, user, null);
  if (action === 'user.delete') assertCanDelete(actor, user);
  // Factors live in their own partition. Invariant: none (nor its passkey lookup) outlives its
  // user: they go first, so a failure leaves the user there for the deletion to be retried.
  const factors = await forgetFactors(deps, id);
  // Sessions end before the user goes: a failed sweep leaves the user for a retried delete.
  await endSessionsOf(deps, id);
  await deps.store.deleteUser(user);
  // Again once the user is gone: one a sign-in opened in between ends too.
  await endSessionsOf(deps, id);
  // Again once the user is gone: a key a live session registered in between goes too.
  await forgetFactors(deps, id);
  await recordAudit(deps, meta, {
    action,
    ...auditActor(actor),
    targetId: id,
    detail: { role: user.role, factors, ...operatorDetail(actor) },
  });
};

/** Sets a password, or makes one up (returned once). Every session of the user ends. */
export const resetPassword = async (
  deps: CoreDeps,
  actor: Actor,
  id: string,
  password: string | undefined,
  meta: RequestMeta,
): Promise<{ generatedPassword?: string }> => {
  const before = await loadUser(deps, id);
  assertCanEdit(actor, before);
  if (before.type === 'machine') throw invalid('password: machine users have no password.');
  const chosen = password ?? generateStrongPassword();
  // A generated password needs no policy check; a chosen one does.
  const after = await withNewPassword(
    deps,
    before,
    chosen,
    password === undefined ? null : 'password',
    passwordSetter(actor),
  );
  await deps.store.updateUser(before, after);
  await endSessionsOf(deps, id, after);
  await recordAudit(deps, meta, {
    action: 'user.reset_password',
    ...auditActor(actor),
    targetId: id,
    detail: { generated: password === undefined, ...operatorDetail(actor) },
  });
  return password === undefined ? { generatedPassword: chosen } : {};
};

/**
 * The user with a new password: checked against the policy (the error names `field`; null
 * skips the check for a generated one), hashed, not yet saved.
 */
export const withNewPassword = async (
  deps: CoreDeps,
  before: UserRecord,
  password: string,
  field: string | null,
  setBy: PasswordSetter | null = changedBySelf(before),
): Promise<UserRecord> => {
  if (field !== null) {
    await assertPasswordAllowed(
      field,
      password,
      { minLength: deps.config.passwordMinLength },
      { email: before.email, username: before.username },
    );
  }
  return {
    ...before,
    passwordHash: await deps.hasher.hash(password),
    passwordSetBy: setBy,
    // Every password write voids what the old password opened (credential-version.ts).
    ...nextCredentialVersion(before),
    updatedAt: Math.max(deps.clock.now(), before.updatedAt + 1),
  };
};

/**
 * A password changed with the old one (`POST /me/password`) is as trustworthy as the old one:
 * whoever knew an admin's password (or one of unknown setter) knows the new one too.
 */
const changedBySelf = (before: UserRecord): PasswordSetter | null =>
  before.passwordHash !== null &&
  (before.passwordSetBy === 'admin' || before.passwordSetBy === 'unknown' || !before.passwordSetBy)
    ? (before.passwordSetBy ?? 'unknown')
    : 'self';

/**
 * The contract's precedence: when the last active owner is at stake, 409 comes before any
 * 403. (The store enforces the rule atomically again; this only orders the answers.)
 */
export const assertKeepsAnOwner = async (
  deps: CoreDeps,
  before: UserRecord,
  after: UserRecord | null,
) => {
  if (!isActiveOwner(before) || (after && isActiveOwner(after))) return;
  if ((await deps.store.countActiveOwners()) <= 1) {
    throw new GatehouseError('conflict', 'That would leave no active owner.');
  }
};

const loadPending = async (deps: CoreDeps, actor: Actor, id: string) => {
  const user = await loadUser(deps, id);
  assertCanManage(actor, user);
  if (user.status !== 'pending') throw new GatehouseError('conflict', 'This user is not pending.');
  return user;
};

export const approveUser = async (
  deps: CoreDeps,
  actor: Actor,
  id: string,
  meta: RequestMeta,
): Promise<PublicUser> => {
  const before = await loadPending(deps, actor, id);
  const after: UserRecord = {
    ...before,
    status: 'active',
    updatedAt: Math.max(deps.clock.now(), before.updatedAt + 1),
  };
  await deps.store.updateUser(before, after);
  await recordAudit(deps, meta, {
    action: 'user.approve',
    ...auditActor(actor),
    targetId: id,
    detail: operatorDetail(actor),
  });
  return showUser(deps, after);
};

export const rejectUser = async (
  deps: CoreDeps,
  actor: Actor,
  id: string,
  meta: RequestMeta,
): Promise<void> => {
  await loadPending(deps, actor, id);
  await deleteUser(deps, actor, id, meta, 'user.reject');
};
