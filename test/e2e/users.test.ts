import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/core/users/roles';
import { useLocalStack } from '../support/local-stack';

const OWNER = { email: 'owner@users.test', password: 'users e2e owner passphrase' };
const PASSWORD = 'a member passphrase 123';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
  LOCKOUT_THRESHOLD: '50',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const unique = () => randomUUID().slice(0, 8);

/** A new user, made by the default owner. */
const createUser = async (
  role: Role,
  extra: Record<string, unknown> = {},
): Promise<Target & { email: string }> => {
  const email = `${role}-${unique()}@users.test`;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD, ...extra },
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.user;
};

const actorTokens = new Map<Role, string>();
const tokenOf = async (role: Role) => {
  if (role === 'owner') return ownerToken;
  let token = actorTokens.get(role);
  if (!token) {
    const user = await createUser(role);
    token = await signIn(user.email, PASSWORD);
    actorTokens.set(role, token);
  }
  return token;
};

// The contract's ceiling (../shared/API.md, Roles): owners manage everyone; admins manage
// viewers and editors; editors and viewers manage nobody (they lack users:read/users:write).
const canRead = (actor: Role) => actor === 'admin' || actor === 'owner';
const canManage = (actor: Role, target: Role) =>
  actor === 'owner' || (actor === 'admin' && (target === 'viewer' || target === 'editor'));
const canSetRole = (actor: Role, target: Role, to: Role) =>
  actor === 'owner' || (canManage(actor, target) && (to === 'viewer' || to === 'editor'));

type Target = { id: string; identities: { provider: string; subject: string }[] };

/** The target's one federated identity, as the unlink route's query names it. */
const identityOf = (t: Target) => {
  const [identity] = t.identities;
  if (!identity) throw new Error('the target has no identity');
  return { provider: identity.provider, subject: identity.subject };
};

type Cell = {
  op: string;
  run: (token: string, target: Target) => Promise<{ status: number; text: string }>;
  expected: (actor: Role, target: Role) => number;
  pending?: boolean;
  /** The target has a federated identity, `corp` + its id's email. */
  linked?: boolean;
};

const cells: Cell[] = [
  {
    op: 'read',
    run: (token, t) => call('GET', `/users/${t.id}`, { token }),
    expected: (a) => (canRead(a) ? 200 : 403),
  },
  {
    op: 'rename',
    run: (token, t) => call('PATCH', `/users/${t.id}`, { token, json: { name: 'Renamed' } }),
    expected: (a, t) => (canManage(a, t) ? 200 : 403),
  },
  ...ROLES.map(
    (to): Cell => ({
      op: `set role ${to}`,
      run: (token, t) => call('PATCH', `/users/${t.id}`, { token, json: { role: to } }),
      expected: (a, t) => (canSetRole(a, t, to) ? 200 : 403),
    }),
  ),
  {
    op: 'disable',
    run: (token, t) => call('PATCH', `/users/${t.id}`, { token, json: { status: 'disabled' } }),
    expected: (a, t) => (canManage(a, t) ? 200 : 403),
  },
  {
    op: 'reset password',
    run: (token, t) => call('POST', `/users/${t.id}/password`, { token, json: {} }),
    expected: (a, t) => (canManage(a, t) ? 200 : 403),
  },
  {
    op: 'delete',
    run: (token, t) => call('DELETE', `/users/${t.id}`, { token }),
    expected: (a) => (a === 'owner' ? 204 : 403),
  },
  {
    op: 'unlink identity',
    linked: true,
    run: (token, t) =>
      call('DELETE', `/users/${t.id}/identities?${new URLSearchParams(identityOf(t))}`, { token }),
    expected: (a) => (a === 'owner' ? 204 : 403),
  },
  {
    op: 'approve',
    pending: true,
    run: (token, t) => call('POST', `/users/${t.id}/approve`, { token }),
    expected: (a, t) => (canManage(a, t) ? 200 : 403),
  },
  {
    op: 'reject',
    pending: true,
    run: (token, t) => call('POST', `/users/${t.id}/reject`, { token }),
    expected: (a, t) => (canManage(a, t) ? 204 : 403),
  },
];

describe.each(ROLES)('the role matrix, acting as %s', (actor) => {
  it.each(ROLES)(`lists users (and can add a %s) only as the contract allows`, async (role) => {
    const token = await tokenOf(actor);
    expect((await call('GET', '/users', { token })).status).toBe(canRead(actor) ? 200 : 403);
    const reply = await call('POST', '/users', {
      token,
      json: { email: `new-${unique()}@users.test`, role },
    });
    expect(reply.status, reply.text).toBe(actor === 'owner' ? 201 : 403);
  });

  describe.each(ROLES)('on a %s', (target) => {
    it.each(cells.map((cell) => [cell.op, cell] as const))('%s', async (_op, cell) => {
      const token = await tokenOf(actor);
      // The target never signs in here: no password, so no bcrypt per cell.
      const user = await createUser(target, {
        password: undefined,
        ...(cell.pending ? { status: 'pending' } : {}),
        ...(cell.linked ? { identities: [{ provider: 'corp', subject: `sub-${unique()}` }] } : {}),
      });
      const reply = await cell.run(token, user);
      expect(reply.status, reply.text).toBe(cell.expected(actor, target));
    });
  });
});

describe('yourself', () => {
  it('nobody changes their own role or status, nor deletes themselves through /users', async () => {
    const admin = await createUser('admin');
    const token = await signIn(admin.email, PASSWORD);
    for (const json of [{ role: 'editor' }, { status: 'disabled' }, { name: 'Me' }]) {
      const reply = await call('PATCH', `/users/${admin.id}`, { token, json });
      expect(reply.status, reply.text).toBe(403);
    }
    expect((await call('DELETE', `/users/${admin.id}`, { token })).status).toBe(403);
  });
});

describe('creating users', () => {
  it('20 parallel creations of one email in different letter cases give exactly one 201', async () => {
    const local = `race-${unique()}`;
    const variants = Array.from({ length: 20 }, (_, i) =>
      [...`${local}@users.test`].map((c, j) => ((i >> (j % 5)) & 1 ? c.toUpperCase() : c)).join(''),
    );
    const replies = await Promise.all(
      variants.map((email) =>
        call('POST', '/users', { token: ownerToken, json: { email, role: 'viewer' } }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of replies) if (r.status !== 201) expect(r.body.error.code).toBe('conflict');
    const found = await call('GET', `/users?q=${local}`, { token: ownerToken });
    expect(found.body.users).toHaveLength(1);
  });

  it('makes machine users with a generated identity and no password', async () => {
    const reply = await call('POST', '/users', {
      token: ownerToken,
      json: { type: 'machine', role: 'editor', name: 'CI robot' },
    });
    expect(reply.status, reply.text).toBe(201);
    const machine = reply.body.user;
    expect(machine).toMatchObject({ type: 'machine', role: 'editor', status: 'active' });
    expect(machine.email).toMatch(/^machine-[0-9a-f]{12}@machines\.invalid$/);
    expect(
      (await call('POST', '/auth/sign-in', { json: { login: machine.email, password: PASSWORD } }))
        .status,
    ).toBe(401);
    const reset = await call('POST', `/users/${machine.id}/password`, {
      token: ownerToken,
      json: {},
    });
    expect(reset.status).toBe(400);
    const withPassword = await call('POST', '/users', {
      token: ownerToken,
      json: { type: 'machine', role: 'viewer', password: PASSWORD },
    });
    expect(withPassword.status).toBe(400);
  });

  it('keeps a pending user out until approved', async () => {
    const pending = await createUser('viewer', { status: 'pending' });
    const early = await call('POST', '/auth/sign-in', {
      json: { login: pending.email, password: PASSWORD },
    });
    expect(early.body.error.code).toBe('account_pending');
    expect((await call('POST', `/users/${pending.id}/approve`, { token: ownerToken })).status).toBe(
      200,
    );
    expect((await call('POST', `/users/${pending.id}/approve`, { token: ownerToken })).status).toBe(
      409,
    );
    await signIn(pending.email, PASSWORD);
  });
});

describe('revocation', () => {
  it("refuses a disabled user's old access token within REVOCATION_CACHE_SECONDS", async () => {
    const user = await createUser('editor');
    const token = await signIn(user.email, PASSWORD);
    expect((await call('GET', '/me', { token })).status).toBe(200);
    const disabled = await call('PATCH', `/users/${user.id}`, {
      token: ownerToken,
      json: { status: 'disabled' },
    });
    expect(disabled.body.user.status).toBe('disabled');
    await new Promise((wait) => setTimeout(wait, 1100));
    const refused = await call('GET', '/me', { token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_invalid');
    // Re-enabling revives no old session.
    await call('PATCH', `/users/${user.id}`, { token: ownerToken, json: { status: 'active' } });
    await new Promise((wait) => setTimeout(wait, 1100));
    expect((await call('GET', '/me', { token })).status).toBe(401);
    await signIn(user.email, PASSWORD);
  });

  it('ends sessions on a role change and a password reset', async () => {
    const user = await createUser('viewer');
    const token = await signIn(user.email, PASSWORD);
    await call('PATCH', `/users/${user.id}`, { token: ownerToken, json: { role: 'editor' } });
    await new Promise((wait) => setTimeout(wait, 1100));
    expect((await call('GET', '/me', { token })).status).toBe(401);
    const again = await signIn(user.email, PASSWORD);
    const reset = await call('POST', `/users/${user.id}/password`, {
      token: ownerToken,
      json: { password: 'a brand new passphrase' },
    });
    expect(reset.status).toBe(204);
    await new Promise((wait) => setTimeout(wait, 1100));
    expect((await call('GET', '/me', { token: again })).status).toBe(401);
    await signIn(user.email, 'a brand new passphrase');
  });
});

describe('listing', () => {
  it('pages with an opaque cursor and filters by q, role and status', async () => {
    const tag = `pg${unique()}`;
    for (let i = 0; i < 5; i++) {
      await call('POST', '/users', {
        token: ownerToken,
        json: {
          email: `${tag}-${i}@users.test`,
          role: i < 2 ? 'editor' : 'viewer',
          name: `Page ${i}`,
        },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/users?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call('GET', query, { token: ownerToken });
      expect(page.status, page.text).toBe(200);
      expect(page.body.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.users.map((u: { email: string }) => u.email));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${tag}-${i}@users.test`));
    const editors = await call('GET', `/users?q=${tag.toUpperCase()}&role=editor`, {
      token: ownerToken,
    });
    expect(editors.body.users).toHaveLength(2);
    expect(editors.body.next_cursor).toBeNull();
  });
});

describe('the audit log', () => {
  it('records changes and sign-ins with no secret in them, filtered by target and action', async () => {
    const user = await createUser('viewer');
    await call('PATCH', `/users/${user.id}`, { token: ownerToken, json: { role: 'editor' } });
    await call('POST', '/auth/sign-in', {
      json: { login: user.email, password: 'wrong password here' },
    });
    await signIn(user.email, PASSWORD);
    const log = await call('GET', `/audit?target_id=${user.id}`, { token: ownerToken });
    expect(log.status, log.text).toBe(200);
    const actions = log.body.events.map(
      (e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`,
    );
    expect(actions).toEqual([
      'auth.sign_in:success',
      'auth.sign_in:failure',
      'user.update:success',
      'user.create:success',
    ]);
    const [update] = log.body.events.filter((e: { action: string }) => e.action === 'user.update');
    expect(update).toMatchObject({
      target_id: user.id,
      detail: { from_role: 'viewer', to_role: 'editor' },
    });
    expect(update.actor_id).toBeTruthy();
    expect(log.text).not.toContain(PASSWORD);
    expect(log.text).not.toContain('wrong password here');
    const failures = await call('GET', `/audit?action=auth.sign_in&target_id=${user.id}&limit=1`, {
      token: ownerToken,
    });
    expect(failures.body.events).toHaveLength(1);
    expect(failures.body.next_cursor).not.toBeNull();
    const viewerToken = await tokenOf('viewer');
    expect((await call('GET', '/audit', { token: viewerToken })).status).toBe(403);
  });
});

describe('bad input: 400 record_invalid, nothing written', () => {
  it.each([
    ['an unknown field', { email: 'x1@users.test', role: 'viewer', admin: true }],
    ['a role that does not exist', { email: 'x2@users.test', role: 'superuser' }],
    ['an email over 254 characters', { email: `${'a'.repeat(250)}@users.test`, role: 'viewer' }],
    [
      'a __proto__ key',
      JSON.parse('{"email":"x3@users.test","role":"viewer","__proto__":{"role":"owner"}}'),
    ],
  ])('POST /users with %s', async (_label, json) => {
    const before = await call('GET', '/users?limit=200', { token: ownerToken });
    const reply = await call('POST', '/users', {
      token: ownerToken,
      body: JSON.stringify(json),
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status, reply.text).toBe(400);
    expect(reply.body.error.code).toBe('record_invalid');
    const after = await call('GET', '/users?limit=200', { token: ownerToken });
    expect(after.body.users.length).toBe(before.body.users.length);
  });

  it('attributes with a __proto__ key', async () => {
    const user = await createUser('viewer');
    const reply = await call('PATCH', `/users/${user.id}`, {
      token: ownerToken,
      body: '{"attributes":{"__proto__":{"x":"y"}}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(400);
    expect(
      (await call('GET', `/users/${user.id}`, { token: ownerToken })).body.user.attributes,
    ).toEqual({});
  });

  it.each([
    ['a malformed cursor', '/users?cursor=not-a-cursor'],
    [
      'a cursor from another query',
      '/users?role=viewer&cursor=eyJwIjp7ImsiOiJ4In0sImYiOiJbbnVsbCxudWxsLG51bGxdIn0',
    ],
    ['a limit over 200', '/users?limit=201'],
    ['an unknown role filter', '/users?role=king'],
    ['an unknown query parameter', '/users?sort=name'],
    ['a bad audit time', '/audit?since=yesterday'],
  ])('GET with %s', async (_label, path) => {
    const reply = await call('GET', path, { token: ownerToken });
    expect(reply.status, reply.text).toBe(400);
    expect(reply.body.error.code).toBe('record_invalid');
  });

  it('an unknown user is 404', async () => {
    expect((await call('GET', '/users/nobody', { token: ownerToken })).status).toBe(404);
    expect(
      (await call('PATCH', '/users/nobody', { token: ownerToken, json: { name: 'x' } })).status,
    ).toBe(404);
  });
});
