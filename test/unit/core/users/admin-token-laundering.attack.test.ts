import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { createApiToken } from '../../../../src/core/tokens/api-tokens';
import { requestOrigin } from '../../../../src/core/users/credential-lineage';
import { createUser, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import type { UserRecord } from '../../../../src/core/users/users';
import { testDeps } from '../../../support/core-deps';

// Attack: lineage of API tokens. An admin makes an API token T1 for a machine user (allowed:
// createdBy = admin, origin = madeInSession(admin's session) = 'self'). Acting with T1 the
// admin makes T2 for the machine user itself: createdBy = the machine user, origin =
// madeInSession(T1.origin) = 'self'. On an owner's raise above editor, raise-rule.ts keeps a
// token the user "made untainted" (createdBy === user.id && isVouched(origin)): T1 dies, T2
// survives and carries the admin (or owner) role. An admin-made credential above editor.
const operator: Actor = { kind: 'operator', name: 'cli' };

describe('a token made with an admin-made token is admin-made (red team C, finding 3)', () => {
  it('is revoked when an owner raises the machine user to admin', async () => {
    const deps = testDeps();
    const mk = async (email: string, role: 'owner' | 'admin' | 'editor', type = 'human') => {
      const made = await createUser(
        deps,
        operator,
        {
          email,
          role,
          type: type as 'human' | 'machine',
          ...(type === 'human' ? { password: `${role} passphrase long enough` } : {}),
        },
        noRequest,
      );
      return (await deps.store.getUser(made.id)) as UserRecord;
    };
    const owner = await mk('root@example.com', 'owner');
    const admin = await mk('ada@example.com', 'admin');
    const bot = await mk('bot@example.com', 'editor', 'machine');

    // The admin, in their own password session (origin 'self'), makes T1 for the bot.
    const adminActor = {
      kind: 'user' as const,
      user: admin,
      tokenId: null,
      origin: 'self' as const,
    };
    const t1 = await createApiToken(
      deps,
      adminActor,
      deps.scopes.admin,
      { name: 'admin-made', user_id: bot.id },
      noRequest,
      { sid: '', tokenId: null },
    );
    const t1Record = await deps.store.getApiToken(t1.token_id);
    // With T1 (as handler.ts builds the actor: the bot, T1's origin) the admin makes T2.
    const viaT1 = {
      kind: 'user' as const,
      user: bot,
      tokenId: t1.token_id,
      origin: await requestOrigin(deps, { sid: '', tokenId: t1.token_id }),
    };
    const t2 = await createApiToken(
      deps,
      viaT1,
      deps.scopes.editor,
      { name: 'laundered' },
      noRequest,
      { sid: '', tokenId: null },
    );
    const t2Record = await deps.store.getApiToken(t2.token_id);
    // T1 speaks for the admin who made it, so what it makes is admin-made.
    expect(t1Record?.createdBy).not.toBe(bot.id);
    expect(t2Record).toMatchObject({ createdBy: bot.id, origin: 'admin' });

    // The owner raises the bot to admin: the admin-made T1 is revoked...
    await updateUser(
      deps,
      { kind: 'user', user: owner, tokenId: null },
      bot.id,
      { role: 'admin' },
      noRequest,
    );
    expect((await deps.store.getApiToken(t1.token_id))?.revokedAt).not.toBeNull();
    // ...and so is T2, which the admin made through T1: nothing of the admin's carries admin.
    expect((await deps.store.getApiToken(t2.token_id))?.revokedAt).not.toBeNull();
  });
});
