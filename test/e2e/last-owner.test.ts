import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/users/roles';
import { useLocalStack } from '../support/local-stack';

// Its own stack: these tests need to know exactly how many owners there are.
const OWNER = { email: 'owner@last-owner.test', password: 'last owner e2e passphrase' };
const PASSWORD = 'a member passphrase 123';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

let counter = 0;
const createUser = async (role: Role): Promise<{ id: string; email: string }> => {
  counter++;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email: `${role}-${counter}@last-owner.test`, role, password: PASSWORD },
  });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.user;
};

describe('the last active owner', () => {
  it('can never be demoted, disabled or deleted: 409 even before 403', async () => {
    const owners = await call('GET', '/users?role=owner&status=active', { token: ownerToken });
    expect(owners.body.users).toHaveLength(1);
    const [{ id }] = owners.body.users;
    for (const json of [{ role: 'admin' }, { status: 'disabled' }]) {
      const reply = await call('PATCH', `/users/${id}`, { token: ownerToken, json });
      expect(reply.status, reply.text).toBe(409);
      expect(reply.body.error.code).toBe('conflict');
    }
    expect((await call('DELETE', `/users/${id}`, { token: ownerToken })).status).toBe(409);
    // An admin disabling the last owner also meets the 409 first.
    const admin = await createUser('admin');
    const adminToken = await signIn(admin.email, PASSWORD);
    const byAdmin = await call('PATCH', `/users/${id}`, {
      token: adminToken,
      json: { status: 'disabled' },
    });
    expect(byAdmin.status).toBe(409);
  });

  it('survives two owners demoting each other at once', async () => {
    const second = await createUser('owner');
    const secondToken = await signIn(second.email, PASSWORD);
    const me = await call('GET', '/me', { token: ownerToken });
    const results = await Promise.all([
      call('PATCH', `/users/${second.id}`, { token: ownerToken, json: { role: 'admin' } }),
      call('PATCH', `/users/${me.body.user.id}`, { token: secondToken, json: { role: 'admin' } }),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results) if (r.status !== 200) expect([401, 403, 409]).toContain(r.status);
    // Whoever is left is the one active owner.
    const survivor = results[0]?.status === 200 ? OWNER.email : second.email;
    const token = survivor === OWNER.email ? ownerToken : await signIn(second.email, PASSWORD);
    const owners = await call('GET', '/users?role=owner&status=active', { token });
    expect(owners.body.users.map((u: { email: string }) => u.email)).toEqual([survivor]);
  });
});
