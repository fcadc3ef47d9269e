/**
 * Red team: the sign-in success event now travels in the session's own write. Every way a
 * password sign-in can fail must leave no `auth.sign_in` success; every success exactly one.
 */
import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { InvalidScopeError } from '../../../../src/core/oauth/oauth-scopes';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { updateUser } from '../../../../src/core/users/user-management';
import type { UserRecord } from '../../../../src/core/users/users';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { gatedHasher } from '../../../support/gated-hasher';
import { createUserWithPassword, PASSWORD } from '../../../support/users';

const signIns = async (deps: TestDeps) =>
  (await deps.store.listAuditEvents({ limit: 200, action: 'auth.sign_in' })).items.map(
    (e) => `${e.outcome}:${(e.detail as Record<string, string>).reason ?? ''}`,
  );

describe('sign-in audit inside the session transaction', () => {
  it('failures write no success event', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '2' });
    await createUserWithPassword(deps, { role: 'owner', email: 'root@example.com' });
    await createUserWithPassword(deps, { role: 'viewer', email: 'v@example.com' });
    await createUserWithPassword(deps, {
      role: 'viewer',
      email: 'off@example.com',
      status: 'disabled',
    });
    const attempts = [
      { login: 'nobody@example.com', password: PASSWORD },
      { login: 'v@example.com', password: 'wrong password here' },
      { login: 'off@example.com', password: PASSWORD },
      { login: 'v@example.com', password: PASSWORD, scope: ['users:write'] },
    ];
    for (const attempt of attempts) {
      await signInWithPassword(deps, attempt, noRequest).catch((e) => e);
    }
    expect((await signIns(deps)).filter((e) => e.startsWith('success'))).toEqual([]);
  });

  it('a scope the role lacks is refused before the session: no success, one failure', async () => {
    const deps = testDeps();
    await createUserWithPassword(deps, { role: 'viewer', email: 'v@example.com' });
    const error = await signInWithPassword(
      deps,
      { login: 'v@example.com', password: PASSWORD, scope: ['users:write'] },
      noRequest,
    ).catch((e) => e);
    expect(error instanceof InvalidScopeError || error?.code).toBeTruthy();
    expect(await signIns(deps)).toEqual(['failure:forbidden']);
  });

  it('a sign-in retried at the fresh version writes exactly one success', async () => {
    const base = testDeps();
    const gated = gatedHasher(base.hasher);
    const deps: TestDeps = { ...base, hasher: gated.hasher };
    const root = await createUserWithPassword(deps, { role: 'owner', email: 'root@example.com' });
    const v = await createUserWithPassword(deps, { role: 'viewer', email: 'v@example.com' });
    const parked = gated.arm();
    const attempt = signInWithPassword(deps, { login: 'v@example.com', password: PASSWORD });
    await parked;
    await updateUser(
      deps,
      { kind: 'user', user: root as UserRecord, tokenId: null },
      v.id,
      { role: 'editor' },
      noRequest,
    );
    gated.release();
    await attempt;
    expect(await signIns(deps)).toEqual(['success:']);
  });
});
