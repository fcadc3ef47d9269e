import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { listUsers } from '../../../../src/core/users/user-listing';
import {
  approveUser,
  createUser,
  deleteUser,
  resetPassword,
  updateUser,
} from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import { testDeps } from '../../../support/core-deps';

const operator: Actor = { kind: 'operator', name: 'cli' };
const meta = { ip: '203.0.113.9', userAgent: 'unit' };

const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

const audit = async (deps: ReturnType<typeof testDeps>) =>
  (await deps.store.listAuditEvents({ limit: 100 })).items;

describe('user management', () => {
  it('announces a user entering pending, and approval lets them in', async () => {
    const deps = testDeps();
    const user = await createUser(
      deps,
      operator,
      {
        email: 'wait@example.com',
        role: 'viewer',
        status: 'pending',
        password: 'waiting patiently 1',
      },
      meta,
    );
    expect(deps.published).toEqual([
      {
        type: 'user.pending',
        user: expect.objectContaining({ id: user.id, email: 'wait@example.com' }),
      },
    ]);
    expect(
      await code(
        signInWithPassword(deps, { login: 'wait@example.com', password: 'waiting patiently 1' }),
      ),
    ).toBe('account_pending');
    await approveUser(deps, operator, user.id, meta);
    expect(
      await code(
        signInWithPassword(deps, { login: 'wait@example.com', password: 'waiting patiently 1' }),
      ),
    ).toBe('ok');
  });

  it('audits every change with who, from where, and never a secret', async () => {
    const deps = testDeps();
    const owner = await createUser(
      deps,
      operator,
      { email: 'boss@example.com', role: 'owner' },
      meta,
    );
    const actor: Actor = {
      kind: 'user',
      user: (await deps.store.getUser(owner.id)) as NonNullable<
        Awaited<ReturnType<typeof deps.store.getUser>>
      >,
      tokenId: 'jti-1',
    };
    deps.clock.advance(1);
    const user = await createUser(
      deps,
      actor,
      { email: 'a@example.com', role: 'viewer', password: 'first secret passphrase' },
      meta,
    );
    deps.clock.advance(1);
    await updateUser(deps, actor, user.id, { role: 'editor', name: 'A' }, meta);
    deps.clock.advance(1);
    const { generatedPassword } = await resetPassword(deps, actor, user.id, undefined, meta);
    deps.clock.advance(1);
    await deleteUser(deps, actor, user.id, meta);
    const events = await audit(deps);
    expect(events.map((e) => e.action)).toEqual([
      'user.delete',
      'user.reset_password',
      'user.update',
      'user.create',
      'user.create',
    ]);
    const [, , update] = events;
    expect(update).toMatchObject({
      actor_id: owner.id,
      actor_token_id: 'jti-1',
      target_id: user.id,
      ip: '203.0.113.9',
      user_agent: 'unit',
      outcome: 'success',
      detail: { fields: 'name role', from_role: 'viewer', to_role: 'editor' },
    });
    expect(events.at(-1)?.detail).toMatchObject({ via: 'cli' });
    const text = JSON.stringify(events);
    expect(text).not.toContain('first secret passphrase');
    expect(text).not.toContain(generatedPassword);
    expect(text).not.toContain('bcrypt');
  });

  it('audits sign-in failures with a null actor for an unknown login, and successes', async () => {
    const deps = testDeps();
    const user = await createUser(
      deps,
      operator,
      { email: 'in@example.com', role: 'viewer', password: 'the right passphrase' },
      noRequest,
    );
    await code(signInWithPassword(deps, { login: 'ghost@example.com', password: 'x' }, meta));
    deps.clock.advance(1);
    await code(signInWithPassword(deps, { login: 'in@example.com', password: 'wrong one' }, meta));
    deps.clock.advance(1);
    await signInWithPassword(
      deps,
      { login: 'in@example.com', password: 'the right passphrase' },
      meta,
    );
    const signIns = (await audit(deps)).filter((e) => e.action === 'auth.sign_in');
    expect(
      signIns.map((e) => [e.actor_id, e.target_id, e.outcome, e.detail.reason ?? null]),
    ).toEqual([
      [user.id, user.id, 'success', null],
      [user.id, user.id, 'failure', 'invalid_credentials'],
      [null, null, 'failure', 'invalid_credentials'],
    ]);
  });

  it('ends the sessions of a user whose role changes', async () => {
    const deps = testDeps();
    const user = await createUser(
      deps,
      operator,
      { email: 'r@example.com', role: 'viewer', password: 'role change secret' },
      noRequest,
    );
    const tokens = await signInWithPassword(deps, {
      login: 'r@example.com',
      password: 'role change secret',
    });
    await updateUser(deps, operator, user.id, { role: 'editor' }, noRequest);
    const record = await deps.store.getRefreshToken(
      (await import('../../../../src/core/shared/ids')).sha256(tokens.refresh_token),
    );
    expect((await deps.store.getSession(record?.sid as string))?.revokedAt).not.toBeNull();
  });

  it('refuses a cursor made for another listing', async () => {
    const deps = testDeps();
    for (let i = 0; i < 3; i++) {
      await createUser(deps, operator, { email: `l${i}@example.com`, role: 'viewer' }, noRequest);
    }
    const first = await listUsers(deps, { limit: 1 });
    expect(first.next_cursor).not.toBeNull();
    expect(await code(listUsers(deps, { limit: 1, cursor: first.next_cursor as string }))).toBe(
      'ok',
    );
    expect(
      await code(
        listUsers(deps, { limit: 1, role: 'viewer', cursor: first.next_cursor as string }),
      ),
    ).toBe('record_invalid');
  });
});
