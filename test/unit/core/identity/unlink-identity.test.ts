import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { unlinkIdentity } from '../../../../src/core/identity/unlink-identity';
import type { Role } from '../../../../src/core/users/roles';
import { createUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import type { UserRecord } from '../../../../src/core/users/users';
import {
  apiTokenOf,
  linkingDeps,
  passwordSession,
  roleNow,
  ssoSignIn,
} from '../../../support/linking';

const OPERATOR: Actor = { kind: 'operator', name: 'unit' };
const PASSWORD = 'a long enough passphrase';
const CORP = { provider: 'corp', subject: 'corp-sub-1' };

const setUp = async () => {
  const deps = linkingDeps({ SSO_GROUP_SYNC: '0' });
  const add = async (email: string, role: Role, identities = [CORP]) => {
    const made = await createUser(
      deps,
      OPERATOR,
      { email, role, password: PASSWORD, identities },
      noRequest,
    );
    return (await deps.store.getUser(made.id)) as UserRecord;
  };
  const owner = await add('root@corp.test', 'owner', []);
  const as = async (user: UserRecord): Promise<Actor> => ({
    kind: 'user',
    user: (await deps.store.getUser(user.id)) as UserRecord,
    tokenId: null,
  });
  return { deps, add, owner, as };
};

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );

describe('unlinkIdentity', () => {
  it('an owner unlinks: the identity is free, audited, and the password, role and sessions stay', async () => {
    const { deps, add, owner, as } = await setUp();
    const ed = await add('ed@corp.test', 'editor', [CORP, { provider: 'corp', subject: 'other' }]);
    const session = await passwordSession(deps, 'ed@corp.test', PASSWORD);
    const token = await apiTokenOf(deps, ed);

    const shown = await unlinkIdentity(deps, await as(owner), ed.id, CORP, noRequest);

    expect(shown.identities.map((i) => i.subject)).toEqual(['other']);
    expect(await deps.store.findUserByIdentity(CORP.provider, CORP.subject)).toBeNull();
    const after = (await deps.store.getUser(ed.id)) as UserRecord;
    expect(after.passwordHash).toBe(ed.passwordHash);
    expect(after.emailVerified).toBe(true);
    expect(await roleNow.password(deps, ed.id, PASSWORD)).toBe('editor');
    expect(await roleNow.session(deps, session.sid as string)).toBe('editor');
    expect(await roleNow.apiToken(deps, token)).toBe('editor');
    const events = await deps.store.listAuditEvents({ limit: 10, action: 'user.unlink' });
    expect(events.items.map((e) => [e.actor_id, e.target_id, e.detail])).toEqual([
      [owner.id, ed.id, { provider: 'corp', subject: 'corp-sub-1' }],
    ]);
  });

  it('is owners only (403, nothing changed), and 404 for an unknown user or identity', async () => {
    const { deps, add, owner, as } = await setUp();
    const admin = await add('admin@corp.test', 'admin', []);
    const viewer = await add('vi@corp.test', 'viewer');
    for (const actor of [admin, viewer]) {
      expect(await codeOf(unlinkIdentity(deps, await as(actor), viewer.id, CORP, noRequest))).toBe(
        'forbidden',
      );
    }
    expect((await deps.store.findUserByIdentity(CORP.provider, CORP.subject))?.id).toBe(viewer.id);
    const asOwner = await as(owner);
    expect(await codeOf(unlinkIdentity(deps, asOwner, 'nobody', CORP, noRequest))).toBe(
      'not_found',
    );
    const other = { provider: 'corp', subject: 'corp-sub-2' };
    expect(await codeOf(unlinkIdentity(deps, asOwner, viewer.id, other, noRequest))).toBe(
      'not_found',
    );
    // Another user's identity is not this user's to unlink.
    expect(await codeOf(unlinkIdentity(deps, asOwner, owner.id, CORP, noRequest))).toBe(
      'not_found',
    );
    const events = await deps.store.listAuditEvents({ limit: 10, action: 'user.unlink' });
    expect(events.items).toEqual([]);
  });

  it('two unlinks from the same read: one wins, the other is 409, no identity comes back', async () => {
    const { deps, add, owner, as } = await setUp();
    const second = { provider: 'corp', subject: 'second' };
    const ed = await add('ed@corp.test', 'editor', [CORP, second]);
    const actor = await as(owner);
    const outcomes = await Promise.all([
      codeOf(unlinkIdentity(deps, actor, ed.id, CORP, noRequest)),
      codeOf(unlinkIdentity(deps, actor, ed.id, second, noRequest)),
    ]);
    expect(outcomes.sort()).toEqual(['conflict', 'ok']);
    const left = ((await deps.store.getUser(ed.id)) as UserRecord).identities ?? [];
    expect(left).toHaveLength(1);
  });

  it('names HS256 SSO identities by the email as typed; unlink + relink reaches the same account', async () => {
    const { deps, owner, as } = await setUp();
    await ssoSignIn(deps, 'pat@corp.test');
    const pat = (await deps.store.findUserByEmail('pat@corp.test')) as UserRecord;
    await unlinkIdentity(
      deps,
      await as(owner),
      pat.id,
      { provider: 'jwt', subject: ' Pat@Corp.test' },
      noRequest,
    );
    expect(((await deps.store.getUser(pat.id)) as UserRecord).identities).toEqual([]);
    // A trusted provider's proven email: the same account again, at the same role.
    await ssoSignIn(deps, 'pat@corp.test');
    const again = (await deps.store.getUser(pat.id)) as UserRecord;
    expect(again.identities?.map((i) => i.subject)).toEqual(['pat@corp.test']);
    expect(again.role).toBe(pat.role);
  });

  it('after unlinking an admin, the identity alone no longer signs in to it (the page asks for the password)', async () => {
    const { deps, add, owner, as } = await setUp();
    const admin = await add('boss@corp.test', 'admin', [
      { provider: 'jwt', subject: 'boss@corp.test' },
    ]);
    expect((await ssoSignIn(deps, 'boss@corp.test')).user.id).toBe(admin.id);
    await unlinkIdentity(
      deps,
      await as(owner),
      admin.id,
      { provider: 'jwt', subject: 'boss@corp.test' },
      noRequest,
    );
    expect(await codeOf(ssoSignIn(deps, 'boss@corp.test'))).toBe('conflict');
    expect(((await deps.store.getUser(admin.id)) as UserRecord).identities).toEqual([]);
  });
});
