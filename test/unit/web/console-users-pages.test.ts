import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../src/core/shared/store';
import type { Role } from '../../../src/core/users/roles';
import { createUser } from '../../../src/core/users/user-management';
import type { Actor } from '../../../src/core/users/user-policy';
import type { UserRecord, UserStatus } from '../../../src/core/users/users';
import type { PageRequest } from '../../../src/web/page-handler';
import { consoleAuditActions } from '../../../src/web/pages/console-audit';
import { auditPage } from '../../../src/web/pages/console-audit/page';
import { consoleUsersActions } from '../../../src/web/pages/console-users';
import { userDetailPage } from '../../../src/web/pages/console-users/detail';
import { usersListPage } from '../../../src/web/pages/console-users/list';
import {
  userApproveSubmit,
  userPasswordSubmit,
  usersCreateSubmit,
  userUpdateSubmit,
} from '../../../src/web/pages/console-users/submits';
import { pageRouteKey, pageRoutes } from '../../../src/web/routes';
import { type TestDeps, testDeps } from '../../support/core-deps';

const operator: Actor = { kind: 'operator', name: 'test' };
const meta = { ip: '203.0.113.7', userAgent: 'unit' };
const CSRF = 'c'.repeat(43);

const addUser = async (
  deps: TestDeps,
  email: string,
  role: Role,
  options: { name?: string; status?: 'active' | 'pending' } = {},
): Promise<UserRecord> => {
  const user = await createUser(deps, operator, { email, role, ...options }, meta);
  return (await deps.store.getUser(user.id)) as UserRecord;
};

/** What the pages handler would hand an action, minus routing and the CSRF check. */
const pageRequest = (
  deps: TestDeps,
  user: UserRecord | null,
  options: {
    method?: 'GET' | 'POST';
    path: string;
    params?: Record<string, string>;
    query?: string;
    form?: Record<string, string>;
  },
): PageRequest => ({
  deps,
  method: options.method ?? 'GET',
  path: options.path,
  params: options.params ?? {},
  query: new URLSearchParams(options.query ?? ''),
  form: new URLSearchParams(options.form ? { csrf: CSRF, ...options.form } : {}),
  signedIn: user ? { user, session: { sid: 'sid-1', userId: user.id } as SessionRecord } : null,
  csrf: CSRF,
  meta,
  secure: true,
  setCookies: [],
});

const setUp = async () => {
  const deps = testDeps();
  const owner = await addUser(deps, 'owner@example.com', 'owner', { name: 'Olive Owner' });
  const admin = await addUser(deps, 'admin@example.com', 'admin');
  const viewer = await addUser(deps, 'viewer@example.com', 'viewer', { name: 'Vic Viewer' });
  return { deps, owner, admin, viewer };
};

const failureCode = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );

describe('console users pages', () => {
  it('has an action for every users and audit page route', () => {
    const keys = pageRoutes.map(pageRouteKey);
    expect(Object.keys(consoleUsersActions).sort()).toEqual(
      keys
        .filter((key) => ['/console/users', '/console/lockouts'].some((p) => key.includes(p)))
        .sort(),
    );
    expect(Object.keys(consoleAuditActions).sort()).toEqual(
      keys.filter((key) => key.includes('/console/audit')).sort(),
    );
  });

  it('shows an owner the users table and the add form', async () => {
    const { deps, owner } = await setUp();
    const result = await usersListPage(pageRequest(deps, owner, { path: '/console/users' }));
    expect(result.statusCode).toBe(200);
    const body = result.body as string;
    expect(body).toContain('<caption>Users</caption>');
    expect(body).toContain('<th scope="col" class="col-s">Last sign-in</th>');
    // Each cell names its column, for the stacked layout of narrow screens.
    expect(body).toContain('<td data-label="Last sign-in">');
    expect(body).toContain('viewer@example.com');
    expect(body).toContain('<div class="table-wrap">');
    expect(body).toContain('<form method="post" action="/console/users"');
    expect(body).toContain(`name="csrf" value="${CSRF}"`);
    // Owners may give any role.
    expect(body).toMatch(/<select id="new-role"[\s\S]*<option value="owner"/);
  });

  it('gives an admin no add form and answers 403 beside the page when they touch an owner', async () => {
    const { deps, owner, admin } = await setUp();
    // A second owner: demoting the last one would be a 409, which the contract puts first.
    await addUser(deps, 'owner2@example.com', 'owner');
    const list = await usersListPage(pageRequest(deps, admin, { path: '/console/users' }));
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Add a user');

    const detail = await userDetailPage(
      pageRequest(deps, admin, { path: `/console/users/${owner.id}`, params: { id: owner.id } }),
    );
    expect(detail.body).not.toContain('name="role"');
    expect(detail.body).toContain('An admin manages only viewers and editors.');

    const result = await userUpdateSubmit(
      pageRequest(deps, admin, {
        method: 'POST',
        path: `/console/users/${owner.id}`,
        params: { id: owner.id },
        form: { role: 'viewer' },
      }),
    );
    expect(result.statusCode).toBe(403);
    expect(result.body).toContain('role="alert"');
    expect(result.body).toContain('An admin manages only viewers and editors.');
    expect((await deps.store.getUser(owner.id))?.role).toBe('owner');
  });

  it('limits an admin’s role select to viewer and editor', async () => {
    const { deps, admin, viewer } = await setUp();
    const detail = await userDetailPage(
      pageRequest(deps, admin, { path: `/console/users/${viewer.id}`, params: { id: viewer.id } }),
    );
    const roleSelect = (detail.body as string).match(
      /<select id="edit-role"[\s\S]*?<\/select>/,
    )?.[0];
    expect(roleSelect).toContain('value="editor"');
    expect(roleSelect).not.toContain('value="admin"');
    expect(roleSelect).not.toContain('value="owner"');
  });

  it('refuses a viewer the users pages', async () => {
    const { deps, viewer } = await setUp();
    expect(
      await failureCode(usersListPage(pageRequest(deps, viewer, { path: '/console/users' }))),
    ).toBe('forbidden');
    expect(
      await failureCode(
        usersCreateSubmit(
          pageRequest(deps, viewer, {
            method: 'POST',
            path: '/console/users',
            form: { email: 'x@example.com', role: 'viewer' },
          }),
        ),
      ),
    ).toBe('forbidden');
  });

  it('sends strangers to sign in and back', async () => {
    const { deps } = await setUp();
    const result = await usersListPage(
      pageRequest(deps, null, { path: '/console/users', query: 'q=ann' }),
    );
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe(
      `/sign-in?return_to=${encodeURIComponent('/console/users?q=ann')}`,
    );
  });

  it('creates a user and redirects to their page with a notice', async () => {
    const { deps, owner } = await setUp();
    const result = await usersCreateSubmit(
      pageRequest(deps, owner, {
        method: 'POST',
        path: '/console/users',
        form: { email: 'new@example.com', name: 'New Person', role: 'editor', type: 'human' },
      }),
    );
    expect(result.statusCode).toBe(303);
    const location = String(result.headers?.location);
    expect(location).toMatch(/^\/console\/users\/[^/?]+\?notice=created$/);
    const id = location.split('/')[3]?.split('?')[0] as string;
    expect(await deps.store.getUser(id)).toMatchObject({
      email: 'new@example.com',
      role: 'editor',
    });

    const detail = await userDetailPage(
      pageRequest(deps, owner, {
        path: `/console/users/${id}`,
        params: { id },
        query: 'notice=created',
      }),
    );
    expect(detail.body).toContain('<p class="notice" role="status">User added.</p>');
    expect(detail.body).toContain('data-confirm="Delete this user?"');
  });

  it('re-renders the add form with the values and the reason when creation fails', async () => {
    const { deps, owner } = await setUp();
    const taken = await usersCreateSubmit(
      pageRequest(deps, owner, {
        method: 'POST',
        path: '/console/users',
        form: { email: 'viewer@example.com', name: 'Again', role: 'viewer' },
      }),
    );
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('role="alert"');
    expect(taken.body).toContain('value="Again"');

    const invalid = await usersCreateSubmit(
      pageRequest(deps, owner, {
        method: 'POST',
        path: '/console/users',
        form: { email: 'not-an-email', role: 'viewer' },
      }),
    );
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toMatch(/role="alert">email: /);
  });

  it('escapes what users typed', async () => {
    const { deps, owner } = await setUp();
    const evil = await addUser(deps, 'evil@example.com', 'viewer', {
      name: '<script>alert(1)</script>',
    });
    const list = await usersListPage(pageRequest(deps, owner, { path: '/console/users' }));
    const detail = await userDetailPage(
      pageRequest(deps, owner, { path: `/console/users/${evil.id}`, params: { id: evil.id } }),
    );
    for (const body of [list.body, detail.body] as string[]) {
      expect(body).not.toContain('<script>alert(1)');
      expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('filters and pages the list, the next link keeping the filters', async () => {
    const { deps, owner } = await setUp();
    for (let i = 0; i < 52; i += 1) {
      await addUser(deps, `bulk-${String(i).padStart(2, '0')}@example.com`, 'editor');
    }
    const first = await usersListPage(
      pageRequest(deps, owner, { path: '/console/users', query: 'q=bulk&role=editor' }),
    );
    const next = (first.body as string).match(/<a href="([^"]+)">Next page<\/a>/)?.[1];
    expect(next).toBeDefined();
    const query = new URLSearchParams((next as string).replaceAll('&amp;', '&').split('?')[1]);
    expect(query.get('q')).toBe('bulk');
    expect(query.get('role')).toBe('editor');
    const second = await usersListPage(
      pageRequest(deps, owner, { path: '/console/users', query: query.toString() }),
    );
    expect(second.statusCode).toBe(200);
    expect(second.body).not.toContain('Next page');
    expect((second.body as string).match(/bulk-\d\d@example\.com<\/a>/g)).toHaveLength(2);
  });

  it('approves a pending user from the list', async () => {
    const { deps, owner } = await setUp();
    const pending = await addUser(deps, 'wait@example.com', 'viewer', {
      status: 'pending' as const,
    });
    const list = await usersListPage(
      pageRequest(deps, owner, { path: '/console/users', query: 'status=pending' }),
    );
    expect(list.body).toContain(`action="/console/users/${pending.id}/approve"`);
    expect(list.body).toContain('aria-label="Approve wait@example.com"');
    const result = await userApproveSubmit(
      pageRequest(deps, owner, {
        method: 'POST',
        path: `/console/users/${pending.id}/approve`,
        params: { id: pending.id },
        form: {},
      }),
    );
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/console/users?notice=approved');
    expect((await deps.store.getUser(pending.id))?.status).toBe<UserStatus>('active');
  });

  it('shows a generated password once, with a copy button', async () => {
    const { deps, owner, viewer } = await setUp();
    const result = await userPasswordSubmit(
      pageRequest(deps, owner, {
        method: 'POST',
        path: `/console/users/${viewer.id}/password`,
        params: { id: viewer.id },
        form: { password: '', once: 'a-fresh-one-time-value-1' },
      }),
    );
    expect(result.statusCode).toBe(200);
    // A reload posts the same form again: refused, no second password.
    const again = await userPasswordSubmit(
      pageRequest(deps, owner, {
        method: 'POST',
        path: `/console/users/${viewer.id}/password`,
        params: { id: viewer.id },
        form: { password: '', once: 'a-fresh-one-time-value-1' },
      }),
    );
    expect(again.statusCode, again.body).toBe(409);
    expect(again.body).not.toContain('generated-password');
    const password = (result.body as string).match(/<code id="generated-password">([^<]+)</)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(12);
    expect(result.body).toContain('<button type="button" data-copy="#generated-password">Copy');
    expect(result.headers?.['cache-control']).toBe('no-store');

    const weak = await userPasswordSubmit(
      pageRequest(deps, owner, {
        method: 'POST',
        path: `/console/users/${viewer.id}/password`,
        params: { id: viewer.id },
        form: { password: 'short', once: 'a-fresh-one-time-value-2' },
      }),
    );
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('role="alert"');
  });

  it('hides role and status from your own page', async () => {
    const { deps, owner } = await setUp();
    const result = await userDetailPage(
      pageRequest(deps, owner, { path: `/console/users/${owner.id}`, params: { id: owner.id } }),
    );
    expect(result.body).not.toContain('name="role"');
    expect(result.body).not.toContain('name="status"');
    expect(result.body).toContain('This is you');
  });
});

describe('console audit page', () => {
  it('lists events and filters them by action', async () => {
    const { deps, owner, viewer } = await setUp();
    await userUpdateSubmit(
      pageRequest(deps, owner, {
        method: 'POST',
        path: `/console/users/${viewer.id}`,
        params: { id: viewer.id },
        form: { name: 'Renamed' },
      }),
    );
    const all = await auditPage(pageRequest(deps, owner, { path: '/console/audit' }));
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('<caption>Audit events, newest first</caption>');
    expect(all.body).toContain('<code>user.create</code>');
    expect(all.body).toContain('<code>user.update</code>');
    expect(all.body).toContain('Operator (test)');

    const updates = await auditPage(
      pageRequest(deps, owner, { path: '/console/audit', query: 'action=user.update' }),
    );
    expect(updates.body).not.toContain('<code>user.create</code>');
    expect(updates.body).toMatch(
      new RegExp(`<a class="clip" href="/console/users/${owner.id}"[^>]*>owner@example.com</a>`),
    );
    // Detail as labelled fields, not JSON.
    expect(updates.body).toContain(
      '<dt>Fields changed</dt><dd><ul class="chips"><li><code>name</code></li></ul></dd>',
    );
    expect(updates.body).not.toContain('&quot;fields&quot;');

    const bad = await auditPage(
      pageRequest(deps, owner, { path: '/console/audit', query: 'action=DROP TABLE' }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('role="alert"');
  });

  it('checks the search form as GET /users checks its query, naming the field', async () => {
    const { deps, owner } = await setUp();
    const result = await usersListPage(
      pageRequest(deps, owner, { path: '/console/users', query: 'role=king' }),
    );
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatch(/role="alert">role: /);
    expect(result.body).not.toContain('<caption>Users</caption>');
  });

  it('refuses a viewer the audit log', async () => {
    const { deps, viewer } = await setUp();
    expect(
      await failureCode(auditPage(pageRequest(deps, viewer, { path: '/console/audit' }))),
    ).toBe('forbidden');
  });
});
