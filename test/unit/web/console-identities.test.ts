import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/core/users/roles';
import { createUser } from '../../../src/core/users/user-management';
import type { Actor } from '../../../src/core/users/user-policy';
import type { UserRecord } from '../../../src/core/users/users';
import { accountPage } from '../../../src/web/pages/console';
import { userDetailPage } from '../../../src/web/pages/console-users/detail';
import { userUnlinkSubmit } from '../../../src/web/pages/console-users/submits';
import { type TestDeps, testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';

const OPERATOR: Actor = { kind: 'operator', name: 'test' };
const PROVIDERS = JSON.stringify([
  { id: 'corp', name: 'Corp Login', issuer: 'https://idp.corp.test', client_id: 'gh' },
]);
const CORP = { provider: 'corp', subject: 'sub-<1>' };
const OLD = { provider: 'retired', subject: 'old-9' };

const setUp = async () => {
  const deps = testDeps({ IDENTITY_PROVIDERS: PROVIDERS });
  const add = async (email: string, role: Role, identities: (typeof CORP)[] = []) => {
    const made = await createUser(
      deps,
      OPERATOR,
      { email, role, identities },
      { ip: null, userAgent: null },
    );
    return (await deps.store.getUser(made.id)) as UserRecord;
  };
  const owner = await add('owner@example.com', 'owner');
  const admin = await add('admin@example.com', 'admin');
  const member = await add('member@example.com', 'viewer', [CORP, OLD]);
  return { deps, owner, admin, member };
};

const detail = (deps: TestDeps, actor: UserRecord, target: UserRecord, query = '') =>
  userDetailPage(
    pageRequest(deps, {
      user: actor,
      path: `/console/users/${target.id}`,
      params: { id: target.id },
      query,
    }),
  );

const unlink = (deps: TestDeps, actor: UserRecord, target: UserRecord, identity: typeof CORP) =>
  userUnlinkSubmit(
    pageRequest(deps, {
      user: actor,
      path: `/console/users/${target.id}/identities/unlink`,
      params: { id: target.id },
      form: { csrf: 'x', ...identity },
    }),
  );

const section = (body: string | undefined) =>
  body?.match(/<section aria-labelledby="identities-heading">[\s\S]*?<\/section>/)?.[0] ?? '';

describe('linked identities in the console', () => {
  it('lists provider (its name when configured), subject and date; an owner gets a confirmed Unlink form', async () => {
    const { deps, owner, member } = await setUp();
    const page = section((await detail(deps, owner, member)).body);
    expect(page).toContain('<h2 id="identities-heading">Linked identities</h2>');
    expect(page).toMatch(
      /<th scope="row">Corp Login<\/th>\s*<td data-label="Subject"><code>sub-&lt;1&gt;<\/code><\/td>\s*<td data-label="Linked"><time datetime="/,
    );
    expect(page).toContain('<th scope="row">retired</th>');
    const forms = page.match(/<form [^>]*>[\s\S]*?<\/form>/g) ?? [];
    expect(forms).toHaveLength(2);
    expect(forms[0]).toContain(
      `method="post" action="/console/users/${member.id}/identities/unlink"`,
    );
    expect(forms[0]).toContain('data-confirm="');
    expect(forms[0]).toContain('name="csrf" value="x"');
    expect(forms[0]).toContain('name="provider" value="corp"');
    expect(forms[0]).toContain('name="subject" value="sub-&lt;1&gt;"');
  });

  it('shows an admin the identities without Unlink', async () => {
    const { deps, admin, member } = await setUp();
    const page = section((await detail(deps, admin, member)).body);
    expect(page).toContain('Corp Login');
    expect(page).not.toContain('<form');
  });

  it('an owner unlinks through the same use case: gone, audited, with a notice', async () => {
    const { deps, owner, member } = await setUp();
    const result = await unlink(deps, owner, member, CORP);
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe(`/console/users/${member.id}?notice=unlinked`);
    expect(await deps.store.findUserByIdentity('corp', CORP.subject)).toBeNull();
    const events = await deps.store.listAuditEvents({ limit: 5, action: 'user.unlink' });
    expect(events.items.map((e) => [e.actor_id, e.target_id, e.detail])).toEqual([
      [owner.id, member.id, { provider: 'corp', subject: CORP.subject }],
    ]);
    const after = await detail(deps, owner, member, 'notice=unlinked');
    expect(after.body).toContain('Identity unlinked');
    expect(section(after.body)).not.toContain('Corp Login');

    // The same form again (a stale page): 404 beside the section, nothing audited.
    const again = await unlink(deps, owner, member, CORP);
    expect(again.statusCode).toBe(404);
    expect(section(again.body)).toContain('This user has no such linked identity.');
    expect(
      (await deps.store.listAuditEvents({ limit: 5, action: 'user.unlink' })).items,
    ).toHaveLength(1);
  });

  it('refuses an admin’s crafted unlink (403 at the top of the page) and keeps the identity', async () => {
    const { deps, admin, member } = await setUp();
    const result = await unlink(deps, admin, member, CORP);
    expect(result.statusCode).toBe(403);
    expect(result.body).toContain('Only an owner can unlink an identity.');
    expect((await deps.store.findUserByIdentity('corp', CORP.subject))?.id).toBe(member.id);
  });

  it('shows your own identities on your profile, read-only', async () => {
    const { deps, member, admin } = await setUp();
    const result = await accountPage(pageRequest(deps, { user: member, path: '/console' }));
    const page = section(result.body);
    expect(page).toContain('Corp Login');
    expect(page).toContain('sub-&lt;1&gt;');
    expect(page).not.toContain('<form');
    // Someone with none sees no such section.
    const plain = await accountPage(pageRequest(deps, { user: admin, path: '/console' }));
    expect(plain.body).not.toContain('Linked identities');
  });
});
