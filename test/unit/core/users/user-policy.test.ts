import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../../../src/core/users/roles';
import {
  type Actor,
  assertCanDelete,
  assertCanEdit,
  assertCanManage,
  assertCanSetRole,
  assertCanSetStatus,
  permissionsFor,
} from '../../../../src/core/users/user-policy';
import type { UserRecord } from '../../../../src/core/users/users';

const user = (id: string, role: Role): UserRecord =>
  ({ id, role, type: 'human', status: 'active' }) as UserRecord;

const allows = (check: () => void) => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};

const actors: Actor[] = [
  { kind: 'operator', name: 'test' },
  ...ROLES.map(
    (role): Actor => ({ kind: 'user', user: user(`actor-${role}`, role), tokenId: null }),
  ),
];

describe('permissionsFor', () => {
  it('answers as the asserts decide, for every actor and target role (and oneself)', () => {
    for (const actor of actors) {
      const targets = ROLES.map((role) => user(`target-${role}`, role));
      if (actor.kind === 'user') targets.push(actor.user);
      for (const target of targets) {
        const permissions = permissionsFor(actor, target);
        expect(permissions.canManage).toBe(allows(() => assertCanManage(actor, target)));
        expect(permissions.canEdit).toBe(allows(() => assertCanEdit(actor, target)));
        expect(permissions.canSetStatus).toBe(allows(() => assertCanSetStatus(actor, target)));
        expect(permissions.canDelete).toBe(allows(() => assertCanDelete(actor, target)));
        expect(permissions.canResetPassword).toBe(permissions.canEdit);
        expect(permissions.canSetRole).toEqual(
          ROLES.filter((role) => allows(() => assertCanSetRole(actor, target, role))),
        );
      }
    }
  });

  it('gives the refusal’s words when editing is refused', () => {
    const admin: Actor = { kind: 'user', user: user('a', 'admin'), tokenId: null };
    expect(permissionsFor(admin, user('o', 'owner')).whyNotEdit).toBe(
      'An admin manages only viewers and editors.',
    );
    expect(permissionsFor(admin, user('v', 'viewer')).whyNotEdit).toBeNull();
  });

  it('offers an admin only viewer and editor, and nobody a change of their own role', () => {
    const admin: Actor = { kind: 'user', user: user('a', 'admin'), tokenId: null };
    expect(permissionsFor(admin, user('v', 'viewer')).canSetRole).toEqual(['viewer', 'editor']);
    expect(permissionsFor(admin, admin.user).canSetRole).toEqual([]);
  });

  it('offers no status change for a pending user, nor a password for a machine', () => {
    const owner: Actor = { kind: 'operator', name: 'test' };
    const pending = { ...user('p', 'viewer'), status: 'pending' as const };
    expect(permissionsFor(owner, pending).canSetStatus).toBe(false);
    const machine = { ...user('m', 'viewer'), type: 'machine' as const };
    expect(permissionsFor(owner, machine).canResetPassword).toBe(false);
  });
});
