import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../dev/local-stack';
import { runGatehouse } from '../support/cli';
import { httpClient } from '../support/http-client';
import { oauthCalls } from '../support/oauth';

// users.json's `sub` and `refresh_token` over HTTP on DynamoDB Local (API.md, Federation, last
// two bullets): imported by USERS_IMPORT_FILE at start and by the CLI, refreshed at both
// endpoints, surviving a redeploy, and ended by each of its death causes.
const OWNER = { email: 'owner@import.test', password: 'imported refresh e2e owner passphrase' };
const dataDir = mkdtempSync(join(tmpdir(), 'gh-imported-'));
const file = join(dataDir, 'users.json');
const secret = () => `sx-${randomBytes(24).toString('hex')}`;
const env = {
  LOG_LEVEL: 'silent',
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  REVOCATION_CACHE_SECONDS: '0',
  // The provider is never reached by these tests: only its id is used, to link `sub`.
  IDENTITY_PROVIDERS: JSON.stringify([
    {
      id: 'globus',
      name: 'Globus',
      issuer: 'https://auth.globus.invalid',
      client_id: 'gatehouse',
      new_users: 'pending',
    },
  ]),
  USERS_IMPORT_FILE: file,
};

/** One users.json row per person, each with its own ServiceX refresh token. */
const PEOPLE = [
  'ann',
  'signout',
  'revoke',
  'reset',
  'role',
  'disable',
  'delete',
  'everywhere',
  'dropped',
  'changed',
] as const;
type Person = (typeof PEOPLE)[number];
const tokens = new Map<Person, string | null>(PEOPLE.map((p) => [p, secret()]));
const emailOf = (person: Person) => `${person}@import.test`;
const writeUsersJson = () =>
  writeFileSync(
    file,
    JSON.stringify(
      PEOPLE.map((person) => ({
        email: emailOf(person),
        name: person,
        institution: 'UChicago',
        sub: `sub-${person}`,
        ...(tokens.get(person) ? { refresh_token: tokens.get(person) } : {}),
      })),
    ),
  );

let stack: LocalStack | undefined;
const current = () => {
  if (!stack) throw new Error('The local stack has not started.');
  return stack;
};
const { call, signIn } = httpClient(() => current().url);
const { postForm, tokenEndpoint } = oauthCalls(call);
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString());

const gatehouse = (args: string[]) =>
  runGatehouse(['--endpoint', current().dynamoEndpoint, ...args], { LOG_LEVEL: 'silent' });

/** Both endpoints, one after the other: the same value back each time, or the refusal. */
const refreshBoth = async (token: string) => {
  const auth = await call('POST', '/auth/refresh', { json: { refresh_token: token } });
  const oauth = await tokenEndpoint({ grant_type: 'refresh_token', refresh_token: token });
  return { auth, oauth };
};

const expectWorks = async (token: string) => {
  const { auth, oauth } = await refreshBoth(token);
  expect(auth.status, auth.text).toBe(200);
  expect(oauth.status, oauth.text).toBe(200);
  expect(auth.body.refresh_token).toBe(token);
  expect(oauth.body.refresh_token).toBe(token);
  return { auth: claimsOf(auth.body.access_token), oauth: claimsOf(oauth.body.access_token) };
};

const expectDead = async (token: string) => {
  const { auth, oauth } = await refreshBoth(token);
  expect(auth.status, auth.text).toBe(401);
  expect(auth.body.error.code).toBe('token_invalid');
  expect(oauth.status, oauth.text).toBe(400);
  expect(oauth.body.error).toBe('invalid_grant');
};

const tokenOf = (person: Person) => tokens.get(person) as string;
let ownerToken: string;
const userOf = async (person: Person) => {
  const listed = await call('GET', `/users?q=${encodeURIComponent(emailOf(person))}`, {
    token: ownerToken,
  });
  return listed.body.users[0];
};

beforeAll(async () => {
  writeUsersJson();
  stack = await startLocalStack({ dataDir, env });
  ownerToken = await signIn(OWNER.email, OWNER.password);
});
afterAll(async () => {
  await stack?.stop();
});

describe('USERS_IMPORT_FILE with sub and refresh_token', () => {
  it('pre-links every sub: active although the provider puts new users in pending', async () => {
    expect(current().usersImport).toEqual({
      created: PEOPLE.length,
      updated: 0,
      unchanged: 0,
      failed: [],
      unlinkedSubs: 0,
      refreshTokens: { stored: PEOPLE.length, kept: 0, revoked: 0 },
    });
    const ann = await userOf('ann');
    const shown = await call('GET', `/users/${ann.id}`, { token: ownerToken });
    expect(shown.body.user).toMatchObject({
      status: 'active',
      attributes: { sub: 'sub-ann', institution: 'UChicago' },
      identities: [{ provider: 'globus', subject: 'sub-ann', linked_at: expect.any(String) }],
    });
  });

  it('refreshes at both endpoints again and again: same value, stable sid, current role', async () => {
    const ann = await userOf('ann');
    const sids = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const { auth, oauth } = await expectWorks(tokenOf('ann'));
      for (const claims of [auth, oauth]) {
        expect(claims).toMatchObject({ sub: ann.id, role: 'viewer' });
        sids.add(claims.sid);
      }
    }
    expect(sids.size).toBe(1);
    const introspected = await postForm(
      '/oauth/introspect',
      { token: tokenOf('ann') },
      { authorization: `Bearer ${ownerToken}` },
    );
    expect(introspected.body).toMatchObject({ active: true, token_type: 'refresh_token' });
    expect(introspected.body).not.toHaveProperty('exp');
  });

  it('survives a redeploy: the same data, the file imported again, the same sid', async () => {
    const before = (await expectWorks(tokenOf('ann'))).auth.sid;
    // The same ports: this process's handlers keep the composition root of their cold start.
    const ports = {
      port: Number(new URL(current().url).port),
      dynamoPort: Number(new URL(current().dynamoEndpoint).port),
    };
    await current().stop();
    stack = await startLocalStack({ dataDir, env, ...ports });
    ownerToken = await signIn(OWNER.email, OWNER.password);
    expect(current().usersImport).toMatchObject({
      unchanged: PEOPLE.length,
      refreshTokens: { stored: 0, kept: PEOPLE.length, revoked: 0 },
    });
    expect((await expectWorks(tokenOf('ann'))).auth.sid).toBe(before);
  });
});

describe('each death of an imported refresh credential', () => {
  const patch = async (person: Person, json: Record<string, unknown>) => {
    const reply = await call('PATCH', `/users/${(await userOf(person)).id}`, {
      token: ownerToken,
      json,
    });
    expect(reply.status, reply.text).toBe(200);
  };

  it.each<[Person, () => Promise<void>]>([
    [
      'signout',
      async () => {
        const reply = await call('POST', '/auth/sign-out', {
          json: { refresh_token: tokenOf('signout') },
        });
        expect(reply.status).toBe(204);
      },
    ],
    [
      'revoke',
      async () => {
        const reply = await postForm(
          '/oauth/revoke',
          { token: tokenOf('revoke') },
          { authorization: `Bearer ${ownerToken}` },
        );
        expect(reply.status).toBe(200);
      },
    ],
    [
      'reset',
      async () => {
        const reply = await call('POST', `/users/${(await userOf('reset')).id}/password`, {
          token: ownerToken,
          json: {},
        });
        expect(reply.status).toBe(200);
      },
    ],
    ['role', () => patch('role', { role: 'editor' })],
    [
      'disable',
      async () => {
        await patch('disable', { status: 'disabled' });
        await patch('disable', { status: 'active' });
      },
    ],
    [
      'delete',
      async () => {
        const id = (await userOf('delete')).id;
        const reply = await call('DELETE', `/users/${id}`, { token: ownerToken });
        expect(reply.status).toBe(204);
      },
    ],
    [
      'everywhere',
      async () => {
        const { access_token } = (
          await call('POST', '/auth/refresh', { json: { refresh_token: tokenOf('everywhere') } })
        ).body;
        const reply = await call('POST', '/auth/sign-out', {
          token: access_token,
          json: { all: true },
        });
        expect(reply.status).toBe(204);
      },
    ],
  ])('%s', async (person, death) => {
    await expectWorks(tokenOf(person));
    await death();
    await expectDead(tokenOf(person));
  });

  it('a re-import without it ends it; a changed value replaces it; the same value changes nothing', async () => {
    const changedBefore = tokenOf('changed');
    await expectWorks(tokenOf('dropped'));
    await expectWorks(changedBefore);
    tokens.set('dropped', null);
    tokens.set('changed', secret());
    writeUsersJson();
    const imported = await gatehouse(['users', 'import', file, '--json']);
    // A deleted user's value (dead) is handed to nobody: that row fails, and creates no one.
    expect(JSON.parse(imported.stdout)).toMatchObject({
      created: 0,
      updated: 2,
      failed: [
        {
          email: emailOf('delete'),
          reason: 'refresh_token: already names another session.',
        },
      ],
      refreshTokens: { stored: 1, revoked: 2 },
    });
    expect(imported.stdout + imported.stderr).not.toContain(tokenOf('ann'));
    await expectDead(changedBefore);
    await expectWorks(tokenOf('changed'));
    // The same value again: the same session, and what died stays dead.
    const sid = (await expectWorks(tokenOf('ann'))).auth.sid;
    const again = await gatehouse(['users', 'import', file]);
    expect(again.stdout).toContain('refresh_token: 0 stored');
    expect((await expectWorks(tokenOf('ann'))).auth.sid).toBe(sid);
    await expectDead(tokenOf('signout'));
    await expectDead(tokenOf('role'));
  });
});

describe('gatehouse users create --provider --sub', () => {
  it('creates an active, linked user; --provider without --sub is a usage error', async () => {
    const created = await gatehouse([
      'users',
      'create',
      '--provider',
      'globus',
      '--sub',
      'sub-zed',
      '--email',
      'zed@import.test',
      '--name',
      'Zed',
      '--institution',
      'CERN',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { user } = JSON.parse(created.stdout);
    const shown = await call('GET', `/users/${user.id}`, { token: ownerToken });
    expect(shown.body.user).toMatchObject({
      status: 'active',
      name: 'Zed',
      attributes: { institution: 'CERN' },
      identities: [{ provider: 'globus', subject: 'sub-zed' }],
    });
    const half = await gatehouse(['users', 'create', '--provider', 'globus', '--email', 'x@y.z']);
    expect(half).toMatchObject({
      code: 2,
      stderr: 'gatehouse: --provider and --sub go together: give both or neither.\n',
    });
  });
});
