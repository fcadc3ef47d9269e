import { GatehouseError } from '../shared/errors';
import type { CredentialOrigin } from './credential-lineage';
import { isAtLeast, ROLES, type Role } from './roles';
import type { UserRecord } from './users';

/**
 * Who acts: a signed-in user, or an operator with direct access to the tables (the CLI, an
 * import at start-up), who is not bound by the role ceiling.
 */
export type Actor =
  | {
      kind: 'user';
      user: UserRecord;
      tokenId: string | null;
      /** The origin of the credential the request came in with; absent: unknown. */
      origin?: CredentialOrigin;
    }
  | { kind: 'operator'; name: string };

const forbidden = (message: string) => new GatehouseError('forbidden', message);

const ADMIN_MANAGEABLE: readonly Role[] = ['viewer', 'editor'];

export const actorId = (actor: Actor): string | null =>
  actor.kind === 'user' ? actor.user.id : null;

/** Who acted, for an audit event: an operator has no id, only `detail.via`. */
export const auditActor = (actor: Actor) => ({
  actorId: actorId(actor),
  actorTokenId: actor.kind === 'user' ? actor.tokenId : null,
});

export const operatorDetail = (actor: Actor): Record<string, string> =>
  actor.kind === 'operator' ? { via: actor.name } : {};

/** What the policy reads of a target: a stored user and a listed one both carry it. */
export type PolicyTarget = Pick<UserRecord, 'id' | 'role'>;

const isSelf = (actor: Actor, target: PolicyTarget) =>
  actor.kind === 'user' && actor.user.id === target.id;

// Each decision once, as the reason it refuses (null: allowed); the asserts and
// permissionsFor both read these, so a page never offers what the core would refuse.

/** Owners add users; admins do not (Mage's ceiling). */
const whyNotCreate = (actor: Actor): string | null =>
  actor.kind === 'operator' || actor.user.role === 'owner' ? null : 'Only an owner can add users.';

/** Owners manage everyone; admins manage viewers and editors; nobody else manages anyone. */
const whyNotManage = (actor: Actor, target: PolicyTarget): string | null => {
  if (actor.kind === 'operator' || isSelf(actor, target)) return null;
  const role = actor.user.role;
  if (role === 'owner') return null;
  if (role === 'admin' && ADMIN_MANAGEABLE.includes(target.role)) return null;
  return isAtLeast(role, 'admin')
    ? 'An admin manages only viewers and editors.'
    : 'Your role cannot manage users.';
};

/** Changing someone else's role: admins only between viewer and editor; never your own. */
const whyNotSetRole = (actor: Actor, target: PolicyTarget, role: Role): string | null => {
  if (isSelf(actor, target)) return 'Nobody changes their own role.';
  const manage = whyNotManage(actor, target);
  if (manage) return manage;
  return actor.kind === 'user' && actor.user.role === 'admin' && !ADMIN_MANAGEABLE.includes(role)
    ? 'An admin can only make someone a viewer or an editor.'
    : null;
};

const whyNotSetStatus = (actor: Actor, target: PolicyTarget): string | null =>
  isSelf(actor, target) ? 'Nobody changes their own status.' : whyNotManage(actor, target);

/** Profile fields and passwords of others; your own go through /me. */
const whyNotEdit = (actor: Actor, target: PolicyTarget): string | null =>
  isSelf(actor, target) ? 'Change your own account through /me.' : whyNotManage(actor, target);

const whyNotDelete = (actor: Actor, target: PolicyTarget): string | null => {
  if (isSelf(actor, target)) return 'Delete your own account through DELETE /me.';
  return actor.kind === 'user' && actor.user.role !== 'owner'
    ? 'Only an owner can delete users.'
    : null;
};

/**
 * Unlinking a federated identity: owners only (as adding a user with identities is), since it
 * changes who may sign in to the account; an admin asks an owner.
 */
const whyNotUnlink = (actor: Actor): string | null =>
  actor.kind === 'operator' || actor.user.role === 'owner'
    ? null
    : 'Only an owner can unlink an identity.';

/** Ending someone's sessions is managing them; one's own, always. */
export const whyNotSignOut = (actor: Actor, target: PolicyTarget): string | null =>
  whyNotManage(actor, target);

/** A password reset (POST /users/{id}/password): as editing, and only people have passwords. */
export const whyNotResetPassword = (
  actor: Actor,
  target: PolicyTarget & Pick<UserRecord, 'type'>,
): string | null =>
  whyNotEdit(actor, target) ??
  (target.type === 'machine' ? 'Machine users have no password.' : null);

/** Whoever may reset a user's password may clear their lockout (and nobody else). */
export const whyNotClearLock = whyNotResetPassword;

/** A lock on a login that names nobody: admins and owners. */
export const whyNotClearLoginLock = (actor: Actor): string | null =>
  actor.kind === 'operator' || isAtLeast(actor.user.role, 'admin')
    ? null
    : 'Only admins and owners clear lockouts.';

/** API tokens of a user: the user, or an admin (DELETE /tokens/{id}; a token's creator too). */
export const mayHandleTokensOf = (actor: Actor, userId: string): boolean =>
  actor.kind === 'operator' || actor.user.id === userId || isAtLeast(actor.user.role, 'admin');

/** A pending user is approved or rejected by whoever manages them. */
export const whyNotDecidePending = (
  actor: Actor,
  target: PolicyTarget & Pick<UserRecord, 'status'>,
): string | null =>
  whyNotManage(actor, target) ?? (target.status === 'pending' ? null : 'This user is not pending.');

export const refuseIf = (reason: string | null): void => {
  if (reason !== null) throw forbidden(reason);
};

export const assertCanCreate = (actor: Actor): void => refuseIf(whyNotCreate(actor));

export const assertCanManage = (actor: Actor, target: PolicyTarget): void =>
  refuseIf(whyNotManage(actor, target));

export const assertCanSetRole = (actor: Actor, target: PolicyTarget, role: Role): void =>
  refuseIf(whyNotSetRole(actor, target, role));

export const assertCanSetStatus = (actor: Actor, target: PolicyTarget): void =>
  refuseIf(whyNotSetStatus(actor, target));

export const assertCanEdit = (actor: Actor, target: PolicyTarget): void =>
  refuseIf(whyNotEdit(actor, target));

export const assertCanDelete = (actor: Actor, target: PolicyTarget): void =>
  refuseIf(whyNotDelete(actor, target));

export const assertCanUnlink = (actor: Actor): void => refuseIf(whyNotUnlink(actor));

export { whyNotDelete, whyNotEdit, whyNotSetRole, whyNotSetStatus, whyNotUnlink };

export const canCreateUsers = (actor: Actor): boolean => whyNotCreate(actor) === null;

/** What the actor may do to the target, as the asserts decide it: for pages to offer. */
export interface Permissions {
  canManage: boolean;
  canEdit: boolean;
  /** Why editing is refused, in words for the page; null when it is allowed. */
  whyNotEdit: string | null;
  /** The roles the actor may give the target (the current one included when any). */
  canSetRole: Role[];
  canSetStatus: boolean;
  canDelete: boolean;
  canResetPassword: boolean;
  canUnlink: boolean;
}

export const permissionsFor = (
  actor: Actor,
  target: PolicyTarget & Pick<UserRecord, 'type' | 'status'>,
): Permissions => {
  const editRefusal = whyNotEdit(actor, target);
  return {
    canManage: whyNotManage(actor, target) === null,
    canEdit: editRefusal === null,
    whyNotEdit: editRefusal,
    canSetRole: ROLES.filter((role) => whyNotSetRole(actor, target, role) === null),
    // Pending and unverified users are approved or verified instead (updateUser refuses).
    canSetStatus:
      (target.status === 'active' || target.status === 'disabled') &&
      whyNotSetStatus(actor, target) === null,
    canDelete: whyNotDelete(actor, target) === null,
    // Machine users have no password (resetPassword refuses them).
    canResetPassword: whyNotResetPassword(actor, target) === null,
    canUnlink: whyNotUnlink(actor) === null,
  };
};
