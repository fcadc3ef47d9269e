import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { changeOwnPassword } from '../../../../src/core/account/account';
import { noRequest } from '../../../../src/core/audit/audit';
import { assertStepUp } from '../../../../src/core/sessions/reauthentication';
import {
  endAllSessions,
  endSessionByRefreshToken,
  liveSessionAuthTime,
  type RefreshCaller,
  rotateRefreshToken,
} from '../../../../src/core/sessions/sessions';
import { sha256 } from '../../../../src/core/shared/ids';
import { createAccessTokenVerifier } from '../../../../src/core/tokens/access-token-verifier';
import { introspectToken } from '../../../../src/core/tokens/introspection';
import { revokeAnyToken } from '../../../../src/core/tokens/token-revocation';
import { describeImportSummary, importUsers } from '../../../../src/core/users/user-import';
import { deleteUser, resetPassword, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import type { UserRecord } from '../../../../src/core/users/users';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { aUser, PASSWORD } from '../../../support/users';

const operator: Actor = { kind: 'operator', name: 'cli' };
const AUTH = { endpoint: 'auth' } as const;
const OAUTH = { endpoint: 'oauth', client: null } as const;
const TOKEN = 'servicex-refresh-token-of-ann-0001';
const OTHER = 'servicex-refresh-token-of-ann-0002';

const provider = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  issuer: `https://${id}.example.com`,
  client_id: 'gatehouse',
  ...extra,
});

const withProviders = (...providers: ReturnType<typeof provider>[]) =>
  testDeps({ IDENTITY_PROVIDERS: JSON.stringify(providers) });

const annRow = (token?: string | null, extra: Record<string, unknown> = {}) => ({
  email: 'ann@example.com',
  name: 'Ann',
  institution: 'UChicago',
  sub: 'sub-ann',
  ...(token === undefined ? {} : { refresh_token: token }),
  ...extra,
});

const ann = async (deps: TestDeps): Promise<UserRecord> => {
  const user = await deps.store.findUserByEmail('ann@example.com');
  if (!user) throw new Error('no Ann');
  return user;
};

const verifierFor = (deps: TestDeps) => {
  const [key] = deps.keySet.keys;
  const publicKey = createPublicKey({ key: { ...key?.publicJwk }, format: 'jwk' });
  const verifier = createAccessTokenVerifier(() => publicKey, {
    issuer: deps.config.issuerUrl,
    audience: deps.config.audience,
    clockToleranceSeconds: 0,
    now: deps.clock.now,
    cacheSize: 0,
  });
  return async (token: string) => verifier.verify(token);
};

/** 'works' with the same value back, or the refusal's code. */
const tryRefresh = async (deps: TestDeps, token = TOKEN, caller: RefreshCaller = AUTH) => {
  try {
    const answer = await rotateRefreshToken(deps, token, caller);
    expect(answer.refresh_token).toBe(token);
    return 'works';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

const imported = async (deps: TestDeps, token: string | null = TOKEN) => {
  const summary = await importUsers(deps, operator, [annRow(token)]);
  expect(summary.failed).toEqual([]);
  return summary;
};

describe('users.json sub: pre-linked identities', () => {
  it('creates the user linked to the import provider, active even when new users are pending', async () => {
    const deps = withProviders(provider('globus', { new_users: 'pending' }));
    const summary = await importUsers(deps, operator, [annRow()]);
    expect(summary).toMatchObject({ created: 1, unlinkedSubs: 0 });
    expect(await ann(deps)).toMatchObject({
      status: 'active',
      attributes: { sub: 'sub-ann', institution: 'UChicago' },
      identities: [{ provider: 'globus', subject: 'sub-ann' }],
    });
    expect((await deps.store.findUserByIdentity('globus', 'sub-ann'))?.email).toBe(
      'ann@example.com',
    );
    expect(await importUsers(deps, operator, [annRow()])).toMatchObject({ unchanged: 1 });
  });

  it('links an existing user found by email, once, and audits it', async () => {
    const deps = withProviders(provider('globus'));
    const existing = aUser({ email: 'Ann@Example.com', name: 'Ann', emailVerified: true });
    await deps.store.createUser(existing);
    expect(await importUsers(deps, operator, [annRow()])).toMatchObject({ updated: 1 });
    expect((await ann(deps)).identities).toEqual([
      { provider: 'globus', subject: 'sub-ann', linkedAt: deps.clock.now() },
    ]);
    const { items } = await deps.store.listAuditEvents({ limit: 10, action: 'user.link' });
    expect(items.map((e) => e.detail)).toEqual([
      { provider: 'globus', subject: 'sub-ann', takeover: false, via: 'cli' },
    ]);
    expect(await importUsers(deps, operator, [annRow()])).toMatchObject({ unchanged: 1 });
  });

  it('fails the row when the identity is linked to another user, and moves nothing', async () => {
    const deps = withProviders(provider('globus'));
    const bob = aUser({
      email: 'bob@example.com',
      identities: [{ provider: 'globus', subject: 'sub-ann', linkedAt: 1 }],
    });
    await deps.store.createUser(bob);
    const summary = await importUsers(deps, operator, [annRow(TOKEN)]);
    expect(summary).toMatchObject({
      created: 0,
      failed: [{ row: 0, reason: 'sub: already linked to another user.' }],
    });
    expect(await deps.store.findUserByEmail('ann@example.com')).toBeNull();
    expect(await deps.store.getRefreshToken(sha256(TOKEN))).toBeNull();
    expect((await deps.store.findUserByIdentity('globus', 'sub-ann'))?.id).toBe(bob.id);
  });

  it('never links an account whose email is unproven (a sign-up could be anyone)', async () => {
    const deps = withProviders(provider('globus'));
    await deps.store.createUser(
      aUser({ email: 'ann@example.com', emailVerified: false, passwordHash: 'h' }),
    );
    const summary = await importUsers(deps, operator, [annRow()]);
    expect(summary.failed).toEqual([
      {
        row: 0,
        email: 'ann@example.com',
        reason: "sub: not linked: the account's email is unproven (verify it first).",
      },
    ]);
    expect(await deps.store.findUserByIdentity('globus', 'sub-ann')).toBeNull();
  });

  it('keeps sub as an attribute only without an import provider, and says so', async () => {
    const deps = withProviders(provider('globus'), provider('google'));
    const summary = await importUsers(deps, operator, [
      annRow(),
      { email: 'bob@example.com', name: 'Bob', institution: '', sub: '' },
    ]);
    expect(summary).toMatchObject({ created: 2, unlinkedSubs: 1 });
    expect((await ann(deps)).identities).toEqual([]);
    expect(describeImportSummary(summary)).toContain(
      'sub not linked in 1 row (no identity provider to link it to: set USERS_IMPORT_PROVIDER)',
    );
    const named = testDeps({
      IDENTITY_PROVIDERS: JSON.stringify([provider('globus'), provider('google')]),
      USERS_IMPORT_PROVIDER: 'google',
    });
    expect(await importUsers(named, operator, [annRow()])).toMatchObject({ unlinkedSubs: 0 });
    expect((await ann(named)).identities).toMatchObject([{ provider: 'google' }]);
  });
});

describe('users.json refresh_token: the imported refresh credential', () => {
  it('is accepted at both endpoints again and again, never rotated, with a stable sid', async () => {
    const deps = testDeps();
    expect((await imported(deps)).refreshTokens).toEqual({ stored: 1, kept: 0, revoked: 0 });
    const verify = verifierFor(deps);
    const sids = new Set<string>();
    for (const caller of [AUTH, OAUTH, AUTH, OAUTH, AUTH]) {
      deps.clock.advance(3600);
      const answer = await rotateRefreshToken(deps, TOKEN, caller);
      expect(answer.refresh_token).toBe(TOKEN);
      const claims = await verify(answer.access_token);
      expect(claims).toMatchObject({ sub: (await ann(deps)).id, role: 'viewer' });
      sids.add(claims.sid);
    }
    expect(sids.size).toBe(1);
    const session = await deps.store.getSession([...sids][0] as string);
    expect(session).toMatchObject({ origin: 'import', clientId: null, revokedAt: null });
    // No expiry of its own: long past SESSION_TTL_SECONDS it still works.
    deps.clock.advance(deps.config.sessionTtlSeconds * 10);
    expect(await tryRefresh(deps)).toBe('works');
    const introspected = await introspectToken(deps, TOKEN, verify);
    expect(introspected).toMatchObject({ active: true, token_type: 'refresh_token' });
    expect(introspected).not.toHaveProperty('exp');
  });

  it('is idempotent on re-import: same sid, counted kept, the row unchanged', async () => {
    const deps = testDeps();
    await imported(deps);
    const sid = (await deps.store.getRefreshToken(sha256(TOKEN)))?.sid;
    const again = await imported(deps);
    expect(again).toMatchObject({
      unchanged: 1,
      refreshTokens: { stored: 0, kept: 1, revoked: 0 },
    });
    expect((await deps.store.getRefreshToken(sha256(TOKEN)))?.sid).toBe(sid);
    expect(await tryRefresh(deps)).toBe('works');
  });

  it('dies when a row comes without it, and a changed value replaces it', async () => {
    const deps = testDeps();
    await imported(deps);
    expect((await imported(deps, OTHER)).refreshTokens).toEqual({
      stored: 1,
      kept: 0,
      revoked: 1,
    });
    expect(await tryRefresh(deps, TOKEN)).toBe('token_invalid');
    expect(await tryRefresh(deps, OTHER)).toBe('works');
    const without = await imported(deps, null);
    expect(without).toMatchObject({ updated: 1, refreshTokens: { revoked: 1 } });
    expect(await tryRefresh(deps, OTHER)).toBe('token_invalid');
    // A death is final: the same value again does not bring it back.
    await imported(deps, OTHER);
    expect(await tryRefresh(deps, OTHER)).toBe('token_invalid');
  });

  it.each([
    ['its sign-out', (deps: TestDeps) => endSessionByRefreshToken(deps, TOKEN)],
    [
      'its revocation',
      async (deps: TestDeps) => {
        const owner = aUser({ role: 'owner' });
        await deps.store.createUser(owner);
        await revokeAnyToken(
          deps,
          { kind: 'user', user: owner, tokenId: null, origin: 'self' },
          TOKEN,
          verifierFor(deps),
          noRequest,
        );
      },
    ],
    [
      'a password reset',
      async (deps: TestDeps) => {
        await resetPassword(deps, operator, (await ann(deps)).id, undefined, noRequest);
      },
    ],
    [
      'a role change',
      async (deps: TestDeps) => {
        await updateUser(deps, operator, (await ann(deps)).id, { role: 'editor' }, noRequest);
      },
    ],
    [
      'disable, even once enabled again',
      async (deps: TestDeps) => {
        const { id } = await ann(deps);
        await updateUser(deps, operator, id, { status: 'disabled' }, noRequest);
        await updateUser(deps, operator, id, { status: 'active' }, noRequest);
      },
    ],
    [
      'delete',
      async (deps: TestDeps) => {
        await deleteUser(deps, operator, (await ann(deps)).id, noRequest);
      },
    ],
    [
      'sign-out everywhere',
      async (deps: TestDeps) => {
        await endAllSessions(deps, (await ann(deps)).id);
      },
    ],
  ])('dies on %s', async (_, death) => {
    const deps = testDeps();
    await imported(deps);
    expect(await tryRefresh(deps)).toBe('works');
    await death(deps);
    expect(await tryRefresh(deps)).not.toBe('works');
    expect(await tryRefresh(deps, TOKEN, OAUTH)).not.toBe('works');
    expect(await introspectToken(deps, TOKEN, verifierFor(deps))).toEqual({ active: false });
  });

  it('dies with a password change made in its own session', async () => {
    const deps = testDeps();
    await imported(deps);
    const answer = await rotateRefreshToken(deps, TOKEN, AUTH);
    const claims = await verifierFor(deps)(answer.access_token);
    const user = await ann(deps);
    const withPassword = { ...user, passwordHash: await deps.hasher.hash(PASSWORD) };
    await deps.store.updateUser(user, withPassword);
    await changeOwnPassword(
      deps,
      { kind: 'user', user: withPassword, tokenId: null, origin: 'import' },
      claims.sid,
      { current_password: PASSWORD, new_password: 'another long passphrase 42' },
      noRequest,
    );
    expect(await tryRefresh(deps)).toBe('token_invalid');
  });

  it('never counts as a recent sign-in for step-up, even just imported', async () => {
    const deps = testDeps();
    await imported(deps);
    const answer = await rotateRefreshToken(deps, TOKEN, AUTH);
    const { sid } = await verifierFor(deps)(answer.access_token);
    const user = await ann(deps);
    const authTime = await liveSessionAuthTime(deps, user.id, sid);
    await expect(assertStepUp(deps, user, { authTime })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('fails a row whose value another user holds, and one that is not a refresh token', async () => {
    const deps = testDeps();
    const summary = await importUsers(deps, operator, [
      annRow(TOKEN),
      { email: 'bob@example.com', name: 'Bob', refresh_token: TOKEN },
      { email: 'cy@example.com', name: 'Cy', refresh_token: 'short-secret' },
      { email: 'di@example.com', name: 'Di', refresh_token: `tab\tsecret-value-here` },
      { email: 'ed@example.com', name: 'Ed', refresh_token: 'x'.repeat(513) },
    ]);
    const shape = 'refresh_token: must be 16 to 512 printable ASCII characters';
    expect(summary.failed).toEqual([
      { row: 1, email: 'bob@example.com', reason: 'refresh_token: already names another session.' },
      { row: 2, email: 'cy@example.com', reason: shape },
      { row: 3, email: 'di@example.com', reason: shape },
      { row: 4, email: 'ed@example.com', reason: shape },
    ]);
    // Nothing of a failed row is written, and no reason echoes a value.
    expect(await deps.store.findUserByEmail('bob@example.com')).toBeNull();
    expect(JSON.stringify(summary)).not.toMatch(/secret|servicex|xxxx/);
    expect(await tryRefresh(deps)).toBe('works');
  });

  it('is not stored for a disabled user', async () => {
    const deps = testDeps();
    await deps.store.createUser(aUser({ email: 'ann@example.com', status: 'disabled' }));
    const summary = await importUsers(deps, operator, [annRow(TOKEN)]);
    expect(summary.failed).toEqual([
      {
        row: 0,
        email: 'ann@example.com',
        reason: 'refresh_token: not stored, the user is disabled.',
      },
    ]);
    expect(await deps.store.getRefreshToken(sha256(TOKEN))).toBeNull();
  });

  it('is audited with counts, never the value', async () => {
    const deps = testDeps();
    await imported(deps);
    await imported(deps, OTHER);
    const { items } = await deps.store.listAuditEvents({ limit: 10, action: 'session.import' });
    expect(items.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        { stored: 1, revoked: 0, sid: expect.any(String), via: 'cli' },
        { stored: 1, revoked: 1, sid: expect.any(String), via: 'cli' },
      ]),
    );
    const all = JSON.stringify(await deps.store.listAuditEvents({ limit: 100 }));
    for (const secret of [TOKEN, OTHER]) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(sha256(secret));
    }
  });
});
