import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { createUser, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import type { UserRecord } from '../../../../src/core/users/users';
import { linkingDeps, ssoSignIn } from '../../../support/linking';

// Attack: an admin creates an editor under an address the admin holds at the IdP (an alias).
// assertEmailMayBeRaised is meant to stop an owner raising it ("an admin's alias at the IdP
// could take the raised account"). One SSO login by the alias rewrites emailSetBy from
// 'admin' to 'provider' (sso-account.ts updateFromProvider), so the owner's raise is then
// accepted and the admin's alias signs in to the raised (admin/owner) account.
const OPERATOR: Actor = { kind: 'operator', name: 'unit' };

describe('an admin-set email stays admin-set through an SSO proof (red team C, finding 2)', () => {
  it('an admin alias that takes the account over cannot be raised above editor', async () => {
    const deps = linkingDeps({ SSO_GROUP_SYNC: '0' });
    const owner = await createUser(
      deps,
      OPERATOR,
      { email: 'root@corp.test', role: 'owner', password: 'owner passphrase long enough' },
      noRequest,
    );
    const admin = await createUser(
      deps,
      OPERATOR,
      { email: 'ada@corp.test', role: 'admin', password: 'admin passphrase long enough' },
      noRequest,
    );
    const asU = async (id: string): Promise<Actor> => ({
      kind: 'user',
      user: (await deps.store.getUser(id)) as UserRecord,
      tokenId: null,
    });
    // An ordinary editor; the admin moves its email to an address the admin holds at the IdP.
    const puppet = await createUser(
      deps,
      OPERATOR,
      { email: 'ed@corp.test', role: 'editor', password: 'editor passphrase long enough' },
      noRequest,
    );
    await updateUser(
      deps,
      await asU(admin.id),
      puppet.id,
      { email: 'ada.alias@corp.test' },
      noRequest,
    );
    const before = (await deps.store.getUser(puppet.id)) as UserRecord;
    expect(before.emailSetBy).toBe('admin');
    // Baseline: the owner's raise is refused while the email is admin-set.
    await expect(
      updateUser(deps, await asU(owner.id), puppet.id, { role: 'admin' }, noRequest),
    ).rejects.toMatchObject({ code: 'conflict' });

    // One SSO login by the admin's alias (group sync off: the role is left alone): an
    // unproven email, so the login takes the (editor) account over, and the email is now
    // 'provider'-set and proven.
    await ssoSignIn(deps, 'ada.alias@corp.test');
    const laundered = (await deps.store.getUser(puppet.id)) as UserRecord;
    // Proven now, but still admin-set: only an owner's change clears that.
    expect(laundered.emailSetBy).toBe('admin');
    expect(laundered.emailVerified).toBe(true);
    // So the owner's raise is still refused, and the alias keeps an editor at most.
    await expect(
      updateUser(deps, await asU(owner.id), puppet.id, { role: 'admin' }, noRequest),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect((await deps.store.getUser(puppet.id))?.role).toBe('editor');
  });
});
