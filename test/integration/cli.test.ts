import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBcryptHasher } from '../../src/core/sessions/password-hasher';
import { sha256 } from '../../src/core/shared/ids';
import { failedWith, json, RUN, usageErrorWith, useGatehouseCli } from '../support/cli';

const { gatehouse, endpoint, store } = useGatehouseCli();
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
});

describe('gatehouse CLI', () => {
  it('manages a user from create to delete', async () => {
    const created = await gatehouse([
      'users',
      'create',
      '--email',
      'Ann@Example.com',
      '--name',
      'Ann Lee',
      '--attribute',
      'institution=CERN',
      '--json',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const { user } = json(created);
    expect(user).toMatchObject({
      email: 'Ann@Example.com',
      role: 'viewer',
      status: 'active',
      type: 'human',
      attributes: { institution: 'CERN' },
    });

    const shown = await gatehouse(['users', 'get', 'ann@example.com']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`id            ${user.id}`);
    expect(shown.stdout).toContain('attributes    institution=CERN');

    // The default connection: DynamoDB Local on DYNAMODB_LOCAL_PORT, tables Users/Tokens/Audit.
    const port = new URL(endpoint()).port;
    const listed = await gatehouse(['users', 'list', '--json'], {
      env: { DYNAMODB_LOCAL_PORT: port },
    });
    expect(listed.code).toBe(0);
    expect(json(listed)).toEqual({ users: [user], next_cursor: null });

    const promoted = await gatehouse(['users', 'set-role', user.id, 'editor', '--json']);
    expect(json(promoted).user).toMatchObject({ id: user.id, role: 'editor' });

    const updated = await gatehouse([
      'users',
      'update',
      'ann@example.com',
      '--name',
      'Ann Lee-Smith',
      '--attribute',
      'sub=s-ann',
      '--json',
    ]);
    expect(json(updated).user).toMatchObject({
      name: 'Ann Lee-Smith',
      role: 'editor',
      attributes: { institution: 'CERN', sub: 's-ann' },
    });

    const reset = await gatehouse(['users', 'reset-password', 'ann@example.com']);
    expect(reset.code).toBe(0);
    const [, password] = /\n([A-Za-z0-9_-]{32})\n$/.exec(reset.stdout) ?? [];
    expect(password).toBeDefined();
    expect(reset.stdout.split(password as string)).toHaveLength(2); // printed exactly once
    const stored = await store().findUserByEmail('ann@example.com');
    expect(await createBcryptHasher(4).verify(password as string, stored?.passwordHash ?? '')).toBe(
      true,
    );

    const exported = await gatehouse(['users', 'export']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual([
      { email: 'Ann@Example.com', name: 'Ann Lee-Smith', institution: 'CERN', sub: 's-ann' },
    ]);
    // What export wrote, import takes back without a change.
    const file = join(work, 'exported.json');
    writeFileSync(file, exported.stdout);
    const reimported = await gatehouse(['users', 'import', file]);
    expect(reimported).toMatchObject({ code: 0, stderr: '' });
    expect(reimported.stdout).toBe(
      `Imported ${file}: 0 created, 0 updated, 1 unchanged, 0 failed; refresh_token: 0 stored, 0 kept, 0 revoked; sub not linked in 1 row (no identity provider to link it to: set USERS_IMPORT_PROVIDER).\n`,
    );

    const deleted = await gatehouse(['users', 'delete', 'ann@example.com']);
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted Ann@Example.com (${user.id}).\n` });
    const gone = await gatehouse(['users', 'get', user.id]);
    expect(gone).toEqual(failedWith(3, `No user "${user.id}".`));
  });

  it('imports users.json twice: the same summary of failures, then nothing to change', async () => {
    const file = join(work, 'users.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          email: 'zoe@example.com',
          name: 'Zoe',
          institution: 'UChicago',
          sub: 'sub-zoe',
          refresh_token: 'rt-do-not-keep-in-the-clear',
        },
        { email: 'yan@example.com', name: 'Yan', institution: 'MIT', sub: 'sub-yan' },
        { email: 'Zoe@Example.com', name: 'Zoe Again', institution: 'X', sub: 'x' },
        { email: 'not-an-email', name: 'X', institution: 'X', sub: 'x' },
      ]),
    );
    const failed = [
      { row: 2, email: 'Zoe@Example.com', reason: 'email: duplicates row 0' },
      { row: 3, email: 'not-an-email', reason: 'email: Invalid email address' },
    ];

    const first = await gatehouse(['users', 'import', file, '--json']);
    expect(first.code).toBe(6);
    expect(json(first)).toEqual({
      created: 2,
      updated: 0,
      unchanged: 0,
      failed,
      unlinkedSubs: 2,
      refreshTokens: { stored: 1, kept: 0, revoked: 0 },
    });
    const second = await gatehouse(['users', 'import', file]);
    expect(second.code).toBe(6);
    expect(second.stdout).toBe(
      [
        `Imported ${file}: 0 created, 0 updated, 2 unchanged, 2 failed; refresh_token: 0 stored, 1 kept, 0 revoked; sub not linked in 2 rows (no identity provider to link it to: set USERS_IMPORT_PROVIDER).`,
        '  row 2 (Zoe@Example.com): email: duplicates row 0',
        '  row 3 (not-an-email): email: Invalid email address',
        '',
      ].join('\n'),
    );

    expect(await store().findUserByEmail('zoe@example.com')).toMatchObject({
      name: 'Zoe',
      role: 'viewer',
      status: 'active',
      passwordHash: null,
      attributes: { institution: 'UChicago', sub: 'sub-zoe' },
    });
    const everything = JSON.stringify([
      await store().listUsers({ limit: 100 }),
      await store().listAuditEvents({ limit: 100 }),
    ]);
    expect(everything).not.toContain('rt-do-not-keep');
    expect(everything).not.toContain(sha256('rt-do-not-keep-in-the-clear'));
  });

  it('answers with exit codes scripts can rely on, and one line on stderr', async () => {
    await gatehouse(['users', 'create', '--email', 'dup@example.com']);
    const [conflict, invalid, missingArgument, badChoice, unknownCommand, help] = await Promise.all(
      [
        gatehouse(['users', 'create', '--email', 'DUP@example.com']),
        gatehouse(['users', 'create', '--email', 'not-an-email']),
        gatehouse(['users', 'get']),
        gatehouse(['users', 'list', '--role', 'king']),
        gatehouse(['users', 'frobnicate']),
        gatehouse(['users', 'set-role', '--help']),
      ],
    );
    expect(conflict).toEqual(failedWith(4, 'That email is already taken.'));
    expect(invalid).toEqual(failedWith(5, 'email: Invalid email address'));
    expect(missingArgument).toMatchObject(
      usageErrorWith("error: missing required argument 'user'"),
    );
    expect(badChoice).toMatchObject(usageErrorWith("argument 'king' is invalid"));
    expect(unknownCommand).toMatchObject(usageErrorWith("error: unknown command 'frobnicate'"));

    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: gatehouse users set-role [options] <user> <role>');
    expect(help.stdout).toContain('--endpoint <url>'); // connection options show everywhere
    expect(help.stdout).toContain('$ gatehouse users set-role ann@example.com admin');
    expect(readFileSync(RUN, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});
