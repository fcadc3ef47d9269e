import { expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { sha256 } from '../../../../src/core/shared/ids';
import { createUser, deleteUser, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import { testDeps } from '../../../support/core-deps';

const operator: Actor = { kind: 'operator', name: 'cli' };

/** A user with one live session, and a store whose next sweep fails (a throttled batch). */
const setUp = async (email: string) => {
  const deps = testDeps();
  const user = await createUser(
    deps,
    operator,
    { email, role: 'viewer', password: 'sweep retry secret' },
    noRequest,
  );
  const tokens = await signInWithPassword(deps, { login: email, password: 'sweep retry secret' });
  const sid = (await deps.store.getRefreshToken(sha256(tokens.refresh_token)))?.sid as string;
  const sweep = deps.store.revokeUserSessions.bind(deps.store);
  let failNext = true;
  deps.store.revokeUserSessions = async (...args) => {
    if (failNext) {
      failNext = false;
      throw new Error('1 of 1 sessions could not be ended');
    }
    return sweep(...args);
  };
  const ended = async () => (await deps.store.getSession(sid))?.revokedAt != null;
  return { deps, user, ended };
};

it('a delete whose sweep failed leaves the user, and the repeated delete ends the sessions', async () => {
  const { deps, user, ended } = await setUp('del@example.com');
  await expect(deleteUser(deps, operator, user.id, noRequest)).rejects.toThrow();
  expect(await deps.store.getUser(user.id)).not.toBeNull();
  expect(await ended()).toBe(false);
  await deleteUser(deps, operator, user.id, noRequest);
  expect(await deps.store.getUser(user.id)).toBeNull();
  expect(await ended()).toBe(true);
});

it('a role change or disable whose sweep failed ends the sessions when repeated', async () => {
  for (const change of [{ role: 'editor' as const }, { status: 'disabled' as const }]) {
    const { deps, user, ended } = await setUp(`change-${Object.keys(change)[0]}@example.com`);
    await expect(updateUser(deps, operator, user.id, change, noRequest)).rejects.toThrow();
    expect(await ended()).toBe(false);
    await updateUser(deps, operator, user.id, change, noRequest);
    expect(await ended()).toBe(true);
  }
});
