import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { startSession } from '../../../../src/core/sessions/sessions';
import { resetUserFactors } from '../../../../src/core/users/mfa-reset';
import { showUser } from '../../../../src/core/users/public-user';
import type { Role } from '../../../../src/core/users/roles';
import { listUsers } from '../../../../src/core/users/user-listing';
import { deleteUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import { testDeps } from '../../../support/core-deps';
import { confirmedTotp } from '../../../support/mfa-fixtures';
import { createUserWithPassword } from '../../../support/users';

const code = (name: string) => expect.objectContaining({ code: name });

const setup = async () => {
  const deps = testDeps();
  const person = async (role: Role) => {
    const user = await createUserWithPassword(deps, { role });
    const actor: Actor = { kind: 'user', user, tokenId: null };
    return { user, actor };
  };
  return { deps, person };
};

describe("an admin's reset of a user's factors (DELETE /users/{id}/mfa)", () => {
  it('clears the factors, ends every session, audits mfa.reset and mails the user', async () => {
    const { deps, person } = await setup();
    const admin = await person('admin');
    const editor = await person('editor');
    const factor = await confirmedTotp(deps, editor.user);
    const session = await startSession(deps, editor.user, null, { origin: 'self' });
    const sid = decodeJwt(session.access_token).sid as string;
    expect((await showUser(deps, editor.user)).mfa).toEqual({ enrolled: true, types: ['totp'] });

    await resetUserFactors(deps, admin.actor, editor.user.id, noRequest);

    expect((await deps.store.getMfaState(editor.user.id)).factors).toEqual([]);
    expect((await deps.store.getSession(sid))?.revokedAt).not.toBeNull();
    expect((await showUser(deps, editor.user)).mfa).toEqual({ enrolled: false, types: [] });
    const events = await deps.store.listAuditEvents({ limit: 50 });
    const reset = events.items.find((event) => event.action === 'mfa.reset');
    expect(reset).toMatchObject({
      actor_id: admin.user.id,
      target_id: editor.user.id,
      detail: { factors: 1 },
    });
    expect(JSON.stringify(events.items)).not.toContain(factor.secret);
    expect(deps.mail.sent.map((mail) => [mail.to, mail.subject])).toEqual([
      [editor.user.email, 'Your sign-in factors were cleared'],
    ]);
  });

  it('follows the role rules: an admin cannot reset an admin or an owner, a viewer no one, nobody their own', async () => {
    const { deps, person } = await setup();
    const owner = await person('owner');
    const admin = await person('admin');
    const otherAdmin = await person('admin');
    const viewer = await person('viewer');
    const editor = await person('editor');
    for (const target of [owner, otherAdmin, viewer, editor])
      await confirmedTotp(deps, target.user);
    await confirmedTotp(deps, admin.user);
    const refused = [
      [admin, owner],
      [admin, otherAdmin],
      [admin, admin],
      [owner, owner],
      [viewer, editor],
    ] as const;
    for (const [actor, target] of refused) {
      await expect(resetUserFactors(deps, actor.actor, target.user.id, noRequest)).rejects.toEqual(
        code('forbidden'),
      );
      expect((await deps.store.getMfaState(target.user.id)).factors).toHaveLength(1);
    }
    await resetUserFactors(deps, owner.actor, otherAdmin.user.id, noRequest);
    await resetUserFactors(deps, { kind: 'operator', name: 'cli' }, owner.user.id, noRequest);
    expect((await deps.store.getMfaState(owner.user.id)).factors).toEqual([]);
    await expect(resetUserFactors(deps, owner.actor, 'nobody', noRequest)).rejects.toEqual(
      code('not_found'),
    );
  });
});

describe("the user's mfa field", () => {
  it('shows in listings, and a deleted user leaves no factor behind', async () => {
    const { deps, person } = await setup();
    const owner = await person('owner');
    const viewer = await person('viewer');
    await confirmedTotp(deps, viewer.user);
    const { users } = await listUsers(deps, {});
    expect(users.find((u) => u.id === viewer.user.id)?.mfa).toEqual({
      enrolled: true,
      types: ['totp'],
    });
    expect(users.find((u) => u.id === owner.user.id)?.mfa).toEqual({ enrolled: false, types: [] });
    await deleteUser(deps, owner.actor, viewer.user.id, noRequest);
    expect(await deps.store.getMfaState(viewer.user.id)).toEqual({ factors: [], recovery: null });
  });
});
