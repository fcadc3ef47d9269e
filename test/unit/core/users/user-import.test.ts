import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../../src/core/shared/ids';
import {
  describeImportSummary,
  type ImportSummary,
  importUsers,
  parseUsersJson,
  toUsersJsonRow,
} from '../../../../src/core/users/user-import';
import { listUsers } from '../../../../src/core/users/user-listing';
import type { Actor } from '../../../../src/core/users/user-policy';
import { testDeps } from '../../../support/core-deps';
import { aUser } from '../../../support/users';

const operator: Actor = { kind: 'operator', name: 'cli' };

const file = [
  {
    email: 'ann@example.com',
    name: 'Ann Lee',
    institution: 'UChicago',
    sub: 'sub-ann',
    refresh_token: 'rt-secret-ann-0123456789',
  },
  { email: 'BOB@Example.com', name: 'Bob', institution: '', sub: 'sub-bob' },
  {
    email: 'Ann@Example.com',
    name: 'Ann Again',
    institution: 'X',
    sub: 'y',
    refresh_token: 'rt-secret-dup-0123456789',
  },
  'not an object',
  { name: 'No Email', institution: 'Nowhere', sub: 'sub-none' },
  { email: 'not-an-email', name: 'X', institution: 'X', sub: 'x' },
  { email: 'carl@example.com', name: 42, institution: 'X', sub: 'x' },
  {
    email: 'dora@example.com',
    name: 'Dora',
    institution: 'MIT',
    sub: 'sub-dora',
    refresh_token: null,
  },
  null,
  { email: 'eve@example.com', name: 'Eve', institution: 'X', sub: 'x', refresh_token: 12 },
];

const failures: ImportSummary['failed'] = [
  { row: 2, email: 'Ann@Example.com', reason: 'email: duplicates row 0' },
  { row: 3, reason: 'must be an object' },
  { row: 4, reason: 'email: is required' },
  { row: 5, email: 'not-an-email', reason: 'email: Invalid email address' },
  { row: 6, email: 'carl@example.com', reason: 'name: must be a string' },
  { row: 8, reason: 'must be an object' },
  { row: 9, email: 'eve@example.com', reason: 'refresh_token: must be a string or null' },
];

/** Bob exists with another name, role, status and password; Dora exists exactly as the file has her. */
const seeded = async () => {
  const deps = testDeps();
  const bob = aUser({
    email: 'bob@example.com',
    name: 'Robert',
    role: 'editor',
    status: 'disabled',
    attributes: { team: 'physics', sub: 'old-sub' },
    passwordHash: 'bcrypt-hash-of-bob',
  });
  const dora = aUser({
    email: 'dora@example.com',
    name: 'Dora',
    attributes: { institution: 'MIT', sub: 'sub-dora' },
  });
  await deps.store.createUser(bob);
  await deps.store.createUser(dora);
  return { deps, bob, dora };
};

describe('users.json import', () => {
  it('creates, updates and reports bad rows, and a second run changes nothing', async () => {
    const { deps, bob, dora } = await seeded();

    const first = await importUsers(deps, operator, file);
    expect(first).toEqual({
      created: 1,
      updated: 1,
      unchanged: 1,
      failed: failures,
      unlinkedSubs: 3,
      refreshTokens: { stored: 1, kept: 0, revoked: 0 },
    });

    const ann = await deps.store.findUserByEmail('ann@example.com');
    expect(ann).toMatchObject({
      email: 'ann@example.com',
      name: 'Ann Lee',
      role: 'viewer',
      status: 'active',
      type: 'human',
      passwordHash: null,
      attributes: { institution: 'UChicago', sub: 'sub-ann' },
    });
    // Name and mapped attributes follow the file; role, status, password and email stay.
    expect(await deps.store.getUser(bob.id)).toEqual({
      ...bob,
      name: 'Bob',
      attributes: { team: 'physics', sub: 'sub-bob' },
      // Written by an operator, not an identity provider: SSO leaves them alone.
      attributeSources: { team: 'admin', sub: 'admin' },
      updatedAt: expect.any(Number),
    });
    expect(await deps.store.getUser(dora.id)).toEqual(dora);

    deps.clock.advance(60);
    const second = await importUsers(deps, operator, file);
    expect(second).toEqual({
      created: 0,
      updated: 0,
      unchanged: 3,
      failed: failures,
      unlinkedSubs: 3,
      refreshTokens: { stored: 0, kept: 1, revoked: 0 },
    });
    const events = await deps.store.listAuditEvents({ limit: 100 });
    // One event per change of the first run (same instant, so in no particular order).
    const audited = events.items.map((e) => [e.action, e.target_id, e.detail.via]);
    expect(audited).toHaveLength(3);
    expect(audited).toEqual(
      expect.arrayContaining([
        ['user.update', bob.id, 'cli'],
        ['user.create', ann?.id, 'cli'],
        ['session.import', ann?.id, 'cli'],
      ]),
    );
  });

  it('never stores a refresh_token in the clear, nor audits or reports it', async () => {
    const { deps } = await seeded();
    const summaries = [
      await importUsers(deps, operator, file),
      await importUsers(deps, operator, file),
    ];
    const users = await deps.store.listUsers({ limit: 100 });
    const events = await deps.store.listAuditEvents({ limit: 100 });
    const everything = JSON.stringify([
      users,
      events,
      summaries,
      describeImportSummary(summaries[0] as ImportSummary),
    ]);
    expect(everything).not.toContain('rt-secret');
    expect(everything).not.toContain(sha256('rt-secret-ann-0123456789'));
    expect(everything).not.toContain('refresh_token"');
    // Only its SHA-256 is kept, as the key of the imported credential.
    expect(await deps.store.getRefreshToken(sha256('rt-secret-ann-0123456789'))).toMatchObject({
      imported: true,
    });
  });

  it('calls back after every row, in order', async () => {
    const deps = testDeps();
    const seen: number[] = [];
    await importUsers(deps, operator, file, { onProgress: (row) => seen.push(row) });
    expect(seen).toEqual(file.map((_, index) => index));
  });

  it('keeps a field the row lacks and clears one the row leaves empty', async () => {
    const deps = testDeps();
    await importUsers(deps, operator, [
      { email: 'fay@example.com', name: 'Fay', institution: 'CERN', sub: 's1' },
    ]);
    const summary = await importUsers(deps, operator, [
      { email: 'fay@example.com', institution: '' },
    ]);
    expect(summary).toMatchObject({ updated: 1, failed: [] });
    expect(await deps.store.findUserByEmail('fay@example.com')).toMatchObject({
      name: 'Fay',
      attributes: { sub: 's1' },
    });
  });

  it('round-trips through its own export', async () => {
    const { deps } = await seeded();
    await importUsers(deps, operator, file);
    const { users } = await listUsers(deps, { limit: 200 });
    const exported = users.map(toUsersJsonRow);
    expect(exported).toContainEqual({
      email: 'ann@example.com',
      name: 'Ann Lee',
      institution: 'UChicago',
      sub: 'sub-ann',
    });
    expect(exported).toContainEqual({
      email: 'bob@example.com',
      name: 'Bob',
      institution: '',
      sub: 'sub-bob',
    });
    const again = await importUsers(deps, operator, parseUsersJson(JSON.stringify(exported)));
    // Ann's row comes back without her refresh_token: her imported credential ends.
    expect(again).toEqual({
      created: 0,
      updated: 1,
      unchanged: 2,
      failed: [],
      unlinkedSubs: 3,
      refreshTokens: { stored: 0, kept: 0, revoked: 1 },
    });
  });

  it('refuses a file that is not a JSON array', () => {
    expect(() => parseUsersJson('{"email":"a@example.com"}')).toThrow(
      'users.json: must be a JSON array of users.',
    );
    expect(() => parseUsersJson('[{')).toThrow('users.json: is not valid JSON.');
    expect(parseUsersJson('[]')).toEqual([]);
  });
});
