import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { unlinkIdentity } from '../../../../src/core/identity/unlink-identity';
import { accountLockoutKey } from '../../../../src/core/sessions/lockout';
import { isGatehouseError } from '../../../../src/core/shared/errors';
import { newId, sha256 } from '../../../../src/core/shared/ids';
import { revokeApiToken } from '../../../../src/core/tokens/api-tokens';
import { resetUserFactors } from '../../../../src/core/users/mfa-reset';
import { ROLES, type Role } from '../../../../src/core/users/roles';
import { clearUserLock } from '../../../../src/core/users/user-lockouts';
import {
  approveUser,
  deleteUser,
  resetPassword,
  updateUser,
} from '../../../../src/core/users/user-management';
import { type UserPermissions, userPermissions } from '../../../../src/core/users/user-permissions';
import type { Actor } from '../../../../src/core/users/user-policy';
import { signOutUserSession } from '../../../../src/core/users/user-sign-out';
import type { UserRecord, UserStatus } from '../../../../src/core/users/users';
import { testDeps } from '../../../support/core-deps';
import { propertyRuns } from '../../../support/property-runs';
import { aUser } from '../../../support/users';

interface Pair {
  viewerRole: Role;
  target: Pick<UserRecord, 'role' | 'status' | 'type' | 'emailVerified' | 'emailSetBy'>;
  self: boolean;
  otherOwner: boolean;
}

const pair = fc.record({
  viewerRole: fc.constantFrom(...ROLES),
  target: fc.record({
    role: fc.constantFrom(...ROLES),
    status: fc.constantFrom<UserStatus>('active', 'disabled', 'pending', 'unverified'),
    type: fc.constantFrom<'human' | 'machine'>('human', 'machine'),
    emailVerified: fc.boolean(),
    emailSetBy: fc.constantFrom<'self' | 'admin' | 'owner'>('self', 'admin', 'owner'),
  }),
  self: fc.boolean(),
  otherOwner: fc.boolean(),
});

const T0 = Date.UTC(2026, 0, 1);
/** Any stored hash will do: no action here checks the old password. */
const OLD_HASH = '$2b$04$abcdefghijklmnopqrstuuPDpZuDxbP1sbEnLNR1FqKhuwLmWnlaK';

/** A fresh world for one action: the viewer, the target (with a session, token, identity). */
const world = async ({ viewerRole, target: shape, self, otherOwner }: Pair) => {
  const deps = testDeps();
  const target = aUser({
    ...shape,
    identities: [{ provider: 'corp', subject: 'sub-1', linkedAt: T0 }],
    passwordHash: OLD_HASH,
  });
  await deps.store.createUser(target);
  const viewer = self ? target : aUser({ role: viewerRole, status: 'active' });
  if (!self) await deps.store.createUser(viewer);
  if (otherOwner) await deps.store.createUser(aUser({ role: 'owner', status: 'active' }));
  const sid = newId();
  await deps.store.createSession(
    {
      sid,
      userId: target.id,
      clientId: null,
      createdAt: T0,
      expiresAt: T0 + 3_600_000,
      revokedAt: null,
    },
    null,
  );
  const tokenId = newId();
  await deps.store.createApiToken({
    tokenId,
    hash: sha256(tokenId),
    name: 't',
    scopes: null,
    userId: target.id,
    createdBy: target.id,
    createdAt: T0,
    expiresAt: null,
    lifetimeSeconds: null,
    renewable: false,
    lastUsedAt: null,
    revokedAt: null,
  });
  const actor: Actor = { kind: 'user', user: viewer, tokenId: null };
  return { deps, target, actor, sid, tokenId };
};

type World = Awaited<ReturnType<typeof world>>;

/** Each answer beside the action it answers for. */
const actions: [
  string,
  (p: UserPermissions, w: World) => boolean,
  (w: World) => Promise<unknown>,
][] = [
  [
    'edit',
    (p) => p.editProfile.allowed,
    (w) => updateUser(w.deps, w.actor, w.target.id, { name: 'New name' }, noRequest),
  ],
  ...ROLES.map(
    (role): [string, (p: UserPermissions, w: World) => boolean, (w: World) => Promise<unknown>] => [
      `role ${role}`,
      (p, w) => p.roles.includes(role) || w.target.role === role,
      (w) =>
        w.target.role === role
          ? Promise.resolve()
          : updateUser(w.deps, w.actor, w.target.id, { role }, noRequest),
    ],
  ),
  [
    'status',
    (p) => p.setStatus.allowed,
    (w) =>
      updateUser(
        w.deps,
        w.actor,
        w.target.id,
        { status: w.target.status === 'active' ? 'disabled' : 'active' },
        noRequest,
      ),
  ],
  ['delete', (p) => p.delete.allowed, (w) => deleteUser(w.deps, w.actor, w.target.id, noRequest)],
  [
    'password',
    (p) => p.resetPassword.allowed,
    (w) => resetPassword(w.deps, w.actor, w.target.id, undefined, noRequest),
  ],
  [
    'factors',
    (p) => p.clearFactors.allowed,
    (w) => resetUserFactors(w.deps, w.actor, w.target.id, noRequest),
  ],
  [
    'unlink',
    (p) => p.unlink.allowed,
    (w) =>
      unlinkIdentity(
        w.deps,
        w.actor,
        w.target.id,
        { provider: 'corp', subject: 'sub-1' },
        noRequest,
      ),
  ],
  [
    'sign out',
    (p) => p.signOut.allowed,
    (w) => signOutUserSession(w.deps, w.actor, w.target.id, w.sid, noRequest),
  ],
  [
    'revoke token',
    (p) => p.revokeTokens.allowed,
    (w) =>
      w.actor.kind === 'user'
        ? revokeApiToken(w.deps, w.actor, w.tokenId, noRequest)
        : Promise.resolve(),
  ],
  [
    'clear lock',
    (p) => p.clearLock.allowed,
    (w) => clearUserLock(w.deps, w.actor, w.target.id, noRequest),
  ],
  [
    'approve',
    (p) => p.decidePending.allowed,
    (w) => approveUser(w.deps, w.actor, w.target.id, noRequest),
  ],
];

const succeeds = async (run: () => Promise<unknown>): Promise<boolean> => {
  try {
    await run();
    return true;
  } catch (error) {
    // Only the rules' refusals count as "refused"; anything else is a bug the test must show.
    if (
      isGatehouseError(error) &&
      ['forbidden', 'conflict', 'record_invalid', 'not_found'].includes(error.code)
    ) {
      return false;
    }
    throw error;
  }
};

describe('userPermissions', () => {
  it('answers allowed exactly when the action itself succeeds', async () => {
    await fc.assert(
      fc.asyncProperty(pair, async (drawn) => {
        for (const [name, allowed, act] of actions) {
          const w = await world(drawn);
          const answer = await userPermissions(w.deps, w.actor, w.target);
          const done = await succeeds(() => act(w));
          expect({ name, done }).toEqual({ name, done: allowed(answer, w) });
        }
      }),
      { numRuns: propertyRuns(120) },
    );
  }, 120_000);

  it("clears the account's failure count", async () => {
    const w = await world({
      viewerRole: 'owner',
      target: {
        role: 'editor',
        status: 'active',
        type: 'human',
        emailVerified: true,
        emailSetBy: 'self',
      },
      self: false,
      otherOwner: false,
    });
    const key = accountLockoutKey(w.target.id);
    for (let i = 0; i < 6; i++) {
      await w.deps.store.recordLoginFailure(key, {
        at: w.deps.clock.now(),
        expiresAt: w.deps.clock.now() + 3_600_000,
        policy: w.deps.config.lockout,
        unlessLocked: true,
      });
    }
    expect(await w.deps.store.getLoginFailures(key)).not.toBeNull();
    await clearUserLock(w.deps, w.actor, w.target.id, noRequest);
    expect(await w.deps.store.getLoginFailures(key)).toBeNull();
  });
});
