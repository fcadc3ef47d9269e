import type { CoreDeps } from '../shared/deps';
import { linkingOf } from '../users/users';
import { raisesAboveAdminReach } from './raise-rule';
import { ROLES, type Role } from './roles';
import {
  type Actor,
  mayHandleTokensOf,
  whyNotClearLock,
  whyNotDecidePending,
  whyNotDelete,
  whyNotEdit,
  whyNotResetPassword,
  whyNotSetRole,
  whyNotSetStatus,
  whyNotSignOut,
  whyNotUnlink,
} from './user-policy';
import { isActiveOwner, type UserRecord } from './users';

/** One action's answer: allowed, or why not in words for the page. */
export interface Decision {
  allowed: boolean;
  why: string | null;
}

/** What the viewer may do to this user, as the actions decide it (user-policy.ts). */
export interface UserPermissions {
  editProfile: Decision;
  /** The roles the viewer may give the user now (the current one left out): the ceiling. */
  roles: Role[];
  /** Active <-> disabled. */
  setStatus: Decision;
  delete: Decision;
  resetPassword: Decision;
  clearFactors: Decision;
  unlink: Decision;
  /** One session or all of them. */
  signOut: Decision;
  revokeTokens: Decision;
  clearLock: Decision;
  /** Approve or reject a pending user. */
  decidePending: Decision;
}

const decide = (...reasons: (string | null)[]): Decision => {
  const why = reasons.find((reason) => reason !== null) ?? null;
  return { allowed: why === null, why };
};

const NO_OWNER_LEFT = 'That would leave no active owner.';

/** raise-rule.ts's assertEmailMayBeRaised, as a reason. */
const whyNotRaise = (user: UserRecord, role: Role): string | null =>
  raisesAboveAdminReach(user, { ...user, role }) &&
  !(linkingOf(user).emailVerified && user.emailSetBy !== 'admin')
    ? 'The email must be proven first.'
    : null;

/**
 * The core's permission answer: each action's own reasons (the same functions its assert
 * reads) plus the state its write would meet (the last active owner, a pending status, the
 * raise rule). Invariant: allowed iff the action would succeed now; the page offers only these,
 * and every action still decides again on its POST.
 */
export const userPermissions = async (
  deps: CoreDeps,
  actor: Actor,
  target: UserRecord,
): Promise<UserPermissions> => {
  // One read, and only for an active owner: losing them may leave no active owner.
  const lastOwner = isActiveOwner(target) && (await deps.store.countActiveOwners()) <= 1;
  const ownerAtStake = lastOwner ? NO_OWNER_LEFT : null;
  const settable = target.status === 'active' || target.status === 'disabled';
  return {
    editProfile: decide(whyNotEdit(actor, target)),
    roles: ROLES.filter(
      (role) =>
        role !== target.role &&
        decide(
          role === 'owner' ? null : ownerAtStake,
          whyNotSetRole(actor, target, role),
          whyNotEdit(actor, target),
          whyNotRaise(target, role),
        ).allowed,
    ),
    setStatus: decide(
      settable ? null : `This user is ${target.status}: approve or verify them instead.`,
      target.status === 'active' ? ownerAtStake : null,
      whyNotSetStatus(actor, target),
      whyNotEdit(actor, target),
    ),
    delete: decide(ownerAtStake, whyNotDelete(actor, target)),
    resetPassword: decide(whyNotResetPassword(actor, target)),
    clearFactors: decide(whyNotEdit(actor, target)),
    unlink: decide(whyNotUnlink(actor)),
    signOut: decide(whyNotSignOut(actor, target)),
    revokeTokens: decide(
      mayHandleTokensOf(actor, target.id) ? null : "Only admins revoke someone else's tokens.",
    ),
    clearLock: decide(whyNotClearLock(actor, target)),
    decidePending: decide(whyNotDecidePending(actor, target)),
  };
};
