import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { createApiToken } from '../../../../src/core/tokens/api-tokens';
import { createUser, resetPassword, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import { testDeps } from '../../../support/core-deps';

// Invariant: no credential an admin made ever carries a role above editor, even after an
// owner raises the account (found by the attack properties: test/support/attack).
const operator: Actor = { kind: 'operator', name: 'cli' };
const OWNER_PW = 'owner passphrase for raise tests';

const world = async () => {
  const deps = testDeps();
  const make = async (email: string, role: 'owner' | 'admin' | 'viewer', type = 'human') => {
    const made = await createUser(
      deps,
      operator,
      {
        email,
        role,
        ...(type === 'human' ? { password: `${OWNER_PW} ${role}` } : {}),
        type: type as 'human' | 'machine',
      },
      noRequest,
    );
    const stored = await deps.store.getUser(made.id);
    if (!stored) throw new Error(`${email} was not stored`);
    return stored;
  };
  const owner = await make('root@example.com', 'owner');
  const admin = await make('ada@example.com', 'admin');
  const as = (user: typeof owner): Actor => ({ kind: 'user', user, tokenId: null });
  return { deps, make, owner, admin, as };
};

describe("an owner's raise and credentials an admin made", () => {
  it('removes a password an admin set when an owner raises the user to admin or owner', async () => {
    const { deps, make, owner, admin, as } = await world();
    const pat = await make('pat@example.com', 'viewer');
    await resetPassword(deps, as(admin), pat.id, 'admin knows this one now', noRequest);
    await updateUser(deps, as(owner), pat.id, { role: 'admin' }, noRequest);
    await expect(
      signInWithPassword(deps, { login: 'pat@example.com', password: 'admin knows this one now' }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('keeps it for a raise an admin could have made (viewer to editor)', async () => {
    const { deps, make, owner, admin, as } = await world();
    const pat = await make('pat@example.com', 'viewer');
    await resetPassword(deps, as(admin), pat.id, 'admin knows this one now', noRequest);
    await updateUser(deps, as(owner), pat.id, { role: 'editor' }, noRequest);
    const signedIn = await signInWithPassword(deps, {
      login: 'pat@example.com',
      password: 'admin knows this one now',
    });
    expect(signedIn.user.role).toBe('editor');
  });

  it("revokes a machine user's API tokens an admin made, keeps an owner's", async () => {
    const { deps, make, owner, admin, as } = await world();
    const bot = await make('bot@example.com', 'viewer', 'machine');
    const byAdmin = await createApiToken(
      deps,
      { kind: 'user', user: admin, tokenId: null },
      deps.scopes.admin,
      { name: 'admin-made', user_id: bot.id },
      noRequest,
      { sid: '', tokenId: null },
    );
    const byOwner = await createApiToken(
      deps,
      { kind: 'user', user: owner, tokenId: null },
      deps.scopes.owner,
      { name: 'owner-made', user_id: bot.id },
      noRequest,
      { sid: '', tokenId: null },
    );
    await updateUser(deps, as(owner), bot.id, { role: 'admin' }, noRequest);
    expect((await deps.store.getApiToken(byAdmin.token_id))?.revokedAt).not.toBeNull();
    expect((await deps.store.getApiToken(byOwner.token_id))?.revokedAt).toBeNull();
  });
});
