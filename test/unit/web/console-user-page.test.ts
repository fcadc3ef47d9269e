import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../src/core/audit/audit';
import { accountLockoutKey, lockoutKey } from '../../../src/core/sessions/lockout';
import { startSession } from '../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../src/core/sessions/sign-in';
import type { Role } from '../../../src/core/users/roles';
import { createUser } from '../../../src/core/users/user-management';
import type { Actor } from '../../../src/core/users/user-policy';
import { type UserRecord, usernameKey } from '../../../src/core/users/users';
import { lockoutClearSubmit, lockoutsListPage } from '../../../src/web/pages/console-lockouts';
import {
  userSessionSignOutSubmit,
  userUnlockSubmit,
} from '../../../src/web/pages/console-users/account-submits';
import { userDetailPage } from '../../../src/web/pages/console-users/detail';
import { type TestDeps, testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';

const operator: Actor = { kind: 'operator', name: 'test' };
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

const addUser = async (deps: TestDeps, email: string, role: Role): Promise<UserRecord> => {
  const made = await createUser(deps, operator, { email, role }, { ip: null, userAgent: null });
  return (await deps.store.getUser(made.id)) as UserRecord;
};

const lock = async (deps: TestDeps, userId: string) => {
  for (let i = 0; i < deps.config.lockout.threshold; i++) {
    await deps.store.recordLoginFailure(accountLockoutKey(userId), {
      at: deps.clock.now(),
      expiresAt: deps.clock.now() + 3_600_000,
      policy: deps.config.lockout,
      unlessLocked: true,
      holder: { userId },
    });
  }
};

const setUp = async () => {
  const deps = testDeps();
  const owner = await addUser(deps, 'owner@example.com', 'owner');
  const admin = await addUser(deps, 'admin@example.com', 'admin');
  const editor = await addUser(deps, 'editor@example.com', 'editor');
  const opened = await startSession(deps, editor, null, {
    meta: { ip: '198.51.100.4', userAgent: CHROME_MAC },
  });
  const sid = JSON.parse(
    Buffer.from(opened.access_token.split('.')[1] as string, 'base64url').toString(),
  ).sid as string;
  return { deps, owner, admin, editor, sid };
};

const failureCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );

describe('the user page', () => {
  it('shows sessions with device, IP and a Sign out the core allows', async () => {
    const { deps, admin, editor } = await setUp();
    const result = await userDetailPage(
      pageRequest(deps, { user: admin, params: { id: editor.id } }),
    );
    const body = result.body as string;
    expect(result.statusCode).toBe(200);
    expect(body).toContain('Chrome on macOS');
    expect(body).toContain('198.51.100.4');
    expect(body).toContain('aria-label="Sign out Chrome on macOS from 198.51.100.4"');
    expect(body).toContain('Sign out everywhere');
    // Owner-only buttons are not offered to an admin.
    expect(body).not.toContain('Delete user');
  });

  it("offers an admin nothing on an owner's sessions or lock", async () => {
    const { deps, admin, owner } = await setUp();
    await startSession(deps, owner, null, { meta: { ip: '192.0.2.1', userAgent: CHROME_MAC } });
    await lock(deps, owner.id);
    const body = (
      await userDetailPage(pageRequest(deps, { user: admin, params: { id: owner.id } }))
    ).body as string;
    expect(body).toContain('Chrome on macOS');
    expect(body).toContain('Locked out');
    expect(body).not.toContain('aria-label="Sign out Chrome on macOS');
    expect(body).not.toContain('Sign out everywhere');
    expect(body).not.toContain('Clear lock');
    // And the POST is refused all the same.
    const refused = await userUnlockSubmit(
      pageRequest(deps, { user: admin, params: { id: owner.id }, form: { csrf: 'x' } }),
    );
    expect(refused.statusCode).toBe(403);
    expect(await deps.store.getLoginFailures(accountLockoutKey(owner.id))).not.toBeNull();
  });

  it('signs out one session, audited, and answers 404 for a sid of another user', async () => {
    const { deps, owner, admin, editor, sid } = await setUp();
    const other = await startSession(deps, admin, null, {});
    const otherSid = JSON.parse(
      Buffer.from(other.access_token.split('.')[1] as string, 'base64url').toString(),
    ).sid as string;
    expect(
      await failureCode(
        userSessionSignOutSubmit(
          pageRequest(deps, { user: owner, params: { id: editor.id, sid: otherSid }, form: {} }),
        ),
      ),
    ).toBe('not_found');
    expect((await deps.store.getSession(otherSid))?.revokedAt).toBeNull();
    const done = await userSessionSignOutSubmit(
      pageRequest(deps, { user: owner, params: { id: editor.id, sid }, form: {} }),
    );
    expect(done.statusCode).toBe(303);
    expect((await deps.store.getSession(sid))?.revokedAt).not.toBeNull();
    expect((await deps.store.revocationsSince(0)).map((r) => r.sid)).toContain(sid);
    const events = await deps.store.listAuditEvents({ limit: 5, action: 'user.sign_out' });
    expect(events.items[0]).toMatchObject({ actor_id: owner.id, target_id: editor.id });
  });
});

describe('the lockouts view', () => {
  it('lists the locked and lets an owner clear, audited', async () => {
    const { deps, owner, admin, editor } = await setUp();
    await lock(deps, owner.id);
    await lock(deps, editor.id);
    const asAdmin = (await lockoutsListPage(pageRequest(deps, { user: admin }))).body as string;
    expect(asAdmin).toContain('owner@example.com');
    expect(asAdmin).toContain('editor@example.com');
    // An admin may clear the editor's lock, not the owner's.
    expect(asAdmin).toContain('Clear lock of editor@example.com');
    expect(asAdmin).not.toContain('Clear lock of owner@example.com');
    const refused = await lockoutClearSubmit(
      pageRequest(deps, { user: admin, form: { user_id: owner.id } }),
    );
    expect(refused.statusCode).toBe(403);
    const cleared = await lockoutClearSubmit(
      pageRequest(deps, { user: admin, form: { user_id: editor.id } }),
    );
    expect(cleared.statusCode).toBe(303);
    const after = (await lockoutsListPage(pageRequest(deps, { user: owner }))).body as string;
    expect(after).not.toContain('editor@example.com');
    expect(after).toContain('owner@example.com');
    // Nobody clears their own lock here (as nobody resets their own password here).
    expect(after).not.toContain('Clear lock of owner@example.com');
    const events = await deps.store.listAuditEvents({ limit: 5, action: 'user.unlock' });
    expect(events.items).toHaveLength(1);
  });
});

describe('the lockouts view, a login of nobody', () => {
  it('shows it masked, clears it by its key, and says when a clear removed nothing', async () => {
    const { deps, admin } = await setUp();
    const typed = 'my secret password';
    for (let i = 0; i < deps.config.lockout.threshold; i++) {
      await signInWithPassword(deps, { login: typed, password: 'wrong-guess-1' }, noRequest).catch(
        () => {},
      );
    }
    const view = (await lockoutsListPage(pageRequest(deps, { user: admin }))).body as string;
    expect(view).not.toContain(typed);
    expect(view).toContain('Clear lock of my…18');
    const key = lockoutKey(usernameKey(typed));
    expect(view).toContain(`name="key" value="${key}"`);
    const clear = () => lockoutClearSubmit(pageRequest(deps, { user: admin, form: { key } }));
    expect((await clear()).headers?.location).toBe('/console/lockouts?notice=cleared');
    expect((await clear()).headers?.location).toBe('/console/lockouts?notice=notLocked');
    const events = await deps.store.listAuditEvents({ limit: 5, action: 'user.unlock' });
    expect(events.items.map((e) => e.detail)).toEqual([
      expect.objectContaining({ login: 'my…18' }),
    ]);
  });
});
