import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import {
  accountLockoutKey,
  lockoutKey,
  maskedLogin,
  secondsLocked,
} from '../../../../src/core/sessions/lockout';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { clearLoginLock, listLockouts } from '../../../../src/core/users/user-lockouts';
import type { Actor } from '../../../../src/core/users/user-policy';
import { emailKey } from '../../../../src/core/users/users';
import { testDeps } from '../../../support/core-deps';
import { createUserWithPassword } from '../../../support/users';

const lockOut = async (deps: ReturnType<typeof testDeps>, login: string) => {
  for (let i = 0; i < deps.config.lockout.threshold; i++) {
    await signInWithPassword(deps, { login, password: 'wrong-guess-1' }, noRequest).catch(() => {});
  }
};

describe('clearing a lock of a login that names nobody (red team issue 18)', () => {
  it('Clear lock on a login longer than 254 characters audits "unlock" and leaves the lock', async () => {
    const deps = testDeps();
    const admin = await createUserWithPassword(deps, { role: 'admin' });
    const actor: Actor = { kind: 'user', user: admin, tokenId: null };
    const login = `${'a'.repeat(300)}@nobody.test`; // within the API's 320-character login
    await lockOut(deps, login);
    const {
      locks: [lock],
    } = await listLockouts(deps, actor);
    expect(lock?.canClear).toBe(true);
    // A login that names nobody is kept and shown masked only (it may be a typed password).
    expect(lock?.holder).toEqual({ login: `aa…@nobody.test` });
    const posted = lock?.key as string; // what the page's form posts: the counter's own key
    expect(await clearLoginLock(deps, actor, posted, noRequest)).toBe(true);
    const events = await deps.store.listAuditEvents({ limit: 5, action: 'user.unlock' });
    expect(events.items).toHaveLength(1); // "Lock cleared" was said and audited
    // A clear that removes nothing says so and is not audited as a clear.
    expect(await clearLoginLock(deps, actor, posted, noRequest)).toBe(false);
    expect(
      (await deps.store.listAuditEvents({ limit: 5, action: 'user.unlock' })).items,
    ).toHaveLength(1);
    const left = await deps.store.getLoginFailures(lockoutKey(emailKey(login)));
    // Expected: no lock left. Actual: the real counter (unsliced key) is untouched.
    expect(secondsLocked(left, deps.clock.now(), deps.config.lockout)).toBe(0);
  });

  it('names the counter by its key: an account key is refused, its lock stays', async () => {
    const deps = testDeps();
    const admin = await createUserWithPassword(deps, { role: 'admin' });
    const owner = await createUserWithPassword(deps, { role: 'owner', email: 'own@b.co' });
    const actor: Actor = { kind: 'user', user: admin, tokenId: null };
    await lockOut(deps, 'own@b.co');
    // An admin may not clear an owner's lock: a posted account key removes nothing.
    expect(await clearLoginLock(deps, actor, accountLockoutKey(owner.id), noRequest)).toBe(false);
    const left = await deps.store.getLoginFailures(accountLockoutKey(owner.id));
    expect(secondsLocked(left, deps.clock.now(), deps.config.lockout)).toBeGreaterThan(0);
    expect((await deps.store.listAuditEvents({ limit: 5, action: 'user.unlock' })).items).toEqual(
      [],
    );
  });
});

describe('maskedLogin: the one form of a login of nobody kept and shown', () => {
  it.each([
    ['jonathan@example.com', 'jo…@example.com'],
    ['my secret password', 'my…18'],
    [' secret', 's…7'],
    ['P4ssw0rd!', 'P4…9'],
    ['a', 'a…1'],
  ])('%s -> %s', (login, shown) => {
    expect(maskedLogin(login)).toBe(shown);
  });

  it('never keeps whitespace nor more than two characters of what was typed before an @', () => {
    for (const login of ['a b@c d', 'pass word', '\tx@example.com', 'hunter2 hunter2@x.io']) {
      const shown = maskedLogin(login);
      expect(shown).not.toMatch(/\s/);
      expect(shown.split('…')[0]?.length ?? 0).toBeLessThanOrEqual(2);
    }
  });
});
