import { describe, expect, it } from 'vitest';
import { AuditQuery, listAuditEvents } from '../../../../src/core/audit/audit-log';
import { clientRedirectingTo, clientRegisteredFor } from '../../../../src/core/oauth/client-lookup';
import { createClient } from '../../../../src/core/oauth/clients';
import {
  findUserByReference,
  ListUsersQuery,
  listUsers,
  usersWithIds,
} from '../../../../src/core/users/user-listing';
import { createUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import { testDeps } from '../../../support/core-deps';

const operator: Actor = { kind: 'operator', name: 'test' };
const meta = { ip: null, userAgent: null };

const withUsers = async (count: number) => {
  const deps = testDeps();
  const users = [];
  for (let i = 0; i < count; i++) {
    users.push(
      await createUser(
        deps,
        operator,
        { email: `u${i}@b.co`, username: `u${i}`, role: 'viewer' },
        meta,
      ),
    );
  }
  return { deps, users };
};

describe('the listing queries the API, the console and the CLI share', () => {
  it('refuses what GET /users refuses, naming the field', () => {
    expect(ListUsersQuery.safeParse({ role: 'king' }).success).toBe(false);
    expect(ListUsersQuery.safeParse({ q: 'x'.repeat(255) }).success).toBe(false);
    expect(ListUsersQuery.safeParse({ status: 'active', limit: '20' }).data).toEqual({
      status: 'active',
      limit: 20,
    });
  });

  it('refuses what GET /audit refuses', () => {
    expect(AuditQuery.safeParse({ action: 'not an action' }).success).toBe(false);
    expect(AuditQuery.safeParse({ actor_id: 'x'.repeat(129) }).success).toBe(false);
    expect(AuditQuery.safeParse({ action: 'user.update' }).success).toBe(true);
  });
});

describe('listAuditEvents', () => {
  it('filters, pages, and takes a cursor only with the filters that made it', async () => {
    const { deps } = await withUsers(3);
    const first = await listAuditEvents(deps, { action: 'user.create', limit: 2 });
    expect(first.events).toHaveLength(2);
    expect(first.events.every((e) => e.action === 'user.create')).toBe(true);
    const cursor = first.next_cursor as string;
    const second = await listAuditEvents(deps, { action: 'user.create', limit: 2, cursor });
    expect(second.events).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    await expect(listAuditEvents(deps, { limit: 2, cursor })).rejects.toMatchObject({
      code: 'record_invalid',
    });
  });
});

describe('user lookups', () => {
  it('lists users with filters', async () => {
    const { deps } = await withUsers(2);
    const found = await listUsers(deps, { q: 'u1@', limit: 10 });
    expect(found.users.map((u) => u.email)).toEqual(['u1@b.co']);
  });

  it('finds a user by id, email or username, and the ids that still exist', async () => {
    const { deps, users } = await withUsers(2);
    const [a, b] = users as [(typeof users)[0], (typeof users)[0]];
    expect((await findUserByReference(deps, a.id))?.id).toBe(a.id);
    expect((await findUserByReference(deps, ' U1@B.CO '))?.id).toBe(b.id);
    expect((await findUserByReference(deps, 'U0'))?.id).toBe(a.id);
    expect(await findUserByReference(deps, 'nobody')).toBeNull();
    const named = await usersWithIds(deps, [a.id, 'gone', a.id, b.id]);
    expect(named.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe('client lookups', () => {
  it('finds a client only at a redirect URI it registered, and the one client at a URI', async () => {
    const deps = testDeps();
    const client = await createClient(
      deps,
      operator,
      {
        name: 'Spa',
        redirect_uris: ['https://app.example/cb'],
        grant_types: ['authorization_code'],
        confidential: false,
      },
      meta,
    );
    expect(
      (await clientRegisteredFor(deps, client.client_id, 'https://app.example/cb'))?.name,
    ).toBe('Spa');
    expect(await clientRegisteredFor(deps, client.client_id, 'https://evil.example/cb')).toBeNull();
    expect(await clientRegisteredFor(deps, '', 'https://app.example/cb')).toBeNull();
    expect((await clientRedirectingTo(deps, 'https://app.example/cb')).clientId).toBe(
      client.client_id,
    );
    await expect(clientRedirectingTo(deps, 'https://other.example/')).rejects.toMatchObject({
      code: 'record_invalid',
    });
  });
});
