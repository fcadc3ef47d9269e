import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { changeOwnPassword, updateOwnProfile } from '../../../../src/core/account/account';
import {
  forgotPassword,
  resetPasswordWithToken,
  signUp,
  verifyEmail,
} from '../../../../src/core/account/self-service';
import { noRequest } from '../../../../src/core/audit/audit';
import { signInWithSso } from '../../../../src/core/identity/sso-sign-in';
import { createSsoTokenVerifier } from '../../../../src/core/identity/sso-token';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../../../src/core/oauth/authorization-codes';
import { authenticateClient, createClient, deleteClient } from '../../../../src/core/oauth/clients';
import { accountLockoutKey } from '../../../../src/core/sessions/lockout';
import { createBcryptHasher } from '../../../../src/core/sessions/password-hasher';
import { endAllSessions, rotateRefreshToken } from '../../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { resetPassword, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import type { UserRecord } from '../../../../src/core/users/users';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { gatedHasher } from '../../../support/gated-hasher';
import { hs256SsoToken } from '../../../support/sso-token';
import { createdUser, createUserWithPassword } from '../../../support/users';

// Regression tests for red team A findings 1, 5, 6 and red team B finding 5 (their exploit
// tests, turned around): each attack must now FAIL. Invariant: src/core/sessions/credential-version.ts.
const operator: Actor = { kind: 'operator', name: 'cli' };
const meta = { ip: '203.0.113.9', userAgent: 'regression' };
const SECRET = 'a shared sso secret of some length';
const tokenIn = (text: string | undefined) =>
  /#token=((?:evt|prt)_[\w-]{43})/.exec(text ?? '')?.[1];
const invalidLink = { code: 'record_invalid' };

const make = async (deps: TestDeps, email: string, role: 'owner' | 'viewer', password?: string) =>
  await createdUser(deps, operator, {
    email,
    role,
    ...(password ? { password } : {}),
    type: 'human',
  });

const ssoJwt = (deps: TestDeps, claims: Record<string, unknown>) =>
  hs256SsoToken(deps.clock, claims, SECRET);
const sidOf = (accessToken: string): string =>
  JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString()).sid;

describe('step-up on PATCH /me {email} (red team A finding 1)', () => {
  it('refuses a new email from a stolen access token of an old session, mailing nothing', async () => {
    const deps = testDeps();
    const victim = await make(deps, 'boss@example.com', 'owner', 'boss own passphrase 1234');
    const self = { kind: 'user' as const, user: victim, tokenId: null };
    const signedIn = deps.clock.now();
    deps.clock.advance(deps.config.reauthMaxAgeSeconds + 1);
    for (const authTime of [null, signedIn]) {
      await expect(
        updateOwnProfile(deps, self, { email: 'mallory@evil.example' }, meta, { authTime }),
      ).rejects.toMatchObject({ code: 'forbidden' });
    }
    // A wrong password is 403 too, and counts toward the lockout.
    await expect(
      updateOwnProfile(deps, self, { email: 'mallory@evil.example', name: 'X' }, meta, {
        authTime: null,
        password: 'a wrong guess',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(deps.mailer.sent.filter((m) => m.to === 'mallory@evil.example')).toEqual([]);
    expect((await deps.store.getUser(victim.id))?.name).toBe(victim.name);
    expect(await deps.store.getLoginFailures(accountLockoutKey(victim.id))).not.toBeNull();
  });

  it('accepts a new email with the password, or from a session signed in just now', async () => {
    const deps = testDeps();
    const user = await make(deps, 'ann@example.com', 'viewer', 'ann own passphrase 1234');
    const self = { kind: 'user' as const, user, tokenId: null };
    await updateOwnProfile(deps, self, { email: 'ann@new.example' }, meta, {
      authTime: null,
      password: 'ann own passphrase 1234',
    });
    await updateOwnProfile(deps, self, { email: 'ann@other.example' }, meta, {
      authTime: deps.clock.now() - 1000,
    });
    expect(deps.mailer.sent.filter((m) => m.to.endsWith('.example')).length).toBeGreaterThan(1);
  });

  it('voids an email-change link at a later password change', async () => {
    const deps = testDeps();
    const victim = await make(deps, 'boss@example.com', 'owner', 'boss own passphrase 1234');
    await make(deps, 'other-owner@example.com', 'owner', 'other owner passphrase 1');
    await updateOwnProfile(
      deps,
      { kind: 'user', user: victim, tokenId: null },
      { email: 'mallory@evil.example' },
      meta,
      { authTime: deps.clock.now() },
    );
    const link = tokenIn(deps.mailer.sent.find((m) => m.to === 'mallory@evil.example')?.text);
    const signedIn = await signInWithPassword(deps, {
      login: 'boss@example.com',
      password: 'boss own passphrase 1234',
    });
    await changeOwnPassword(
      deps,
      { kind: 'user', user: (await deps.store.getUser(victim.id)) as UserRecord, tokenId: null },
      sidOf(signedIn.access_token),
      { current_password: 'boss own passphrase 1234', new_password: 'boss new passphrase 5678' },
      meta,
    );
    await expect(verifyEmail(deps, link as string, meta)).rejects.toMatchObject(invalidLink);
    const after = await deps.store.getUser(victim.id);
    expect(after?.email).toBe('boss@example.com');
    expect(after?.passwordHash).not.toBeNull();
    // The caller's own session carries on at the new version.
    await rotateRefreshToken(deps, signedIn.refresh_token, { endpoint: 'auth' });
  });

  it('voids a reset link and refresh tokens at sign-out everywhere', async () => {
    const deps = testDeps();
    const user = await make(deps, 'ann@example.com', 'viewer', 'ann own passphrase 1234');
    const tokens = await signInWithPassword(deps, {
      login: 'ann@example.com',
      password: 'ann own passphrase 1234',
    });
    await forgotPassword(deps, 'ann@example.com', meta);
    const reset = tokenIn(deps.mailer.sent.at(-1)?.text) as string;
    await endAllSessions(deps, user.id);
    await expect(
      resetPasswordWithToken(deps, { token: reset, password: 'a brand new passphrase' }, meta),
    ).rejects.toMatchObject(invalidLink);
    await expect(
      rotateRefreshToken(deps, tokens.refresh_token, { endpoint: 'auth' }),
    ).rejects.toMatchObject({ code: 'token_invalid' });
  });
});

describe('a sign-in in flight never outlives a revoking action (red team A finding 6)', () => {
  const race = async (revoke: (deps: TestDeps, victim: UserRecord) => Promise<void>) => {
    const base = testDeps({ SIGN_UP_ENABLED: '1', SSO_JWT_SECRET: SECRET });
    const gated = gatedHasher(base.hasher);
    const deps: TestDeps = { ...base, hasher: gated.hasher };
    await make(deps, 'root@example.com', 'owner', 'owner passphrase 123456');
    const victim = await make(deps, 'vic@example.com', 'viewer', 'stolen old passphrase 1');
    const parked = gated.arm();
    const attacker = signInWithPassword(deps, {
      login: 'vic@example.com',
      password: 'stolen old passphrase 1',
    });
    await parked; // bcrypt said "right password"; no session yet
    deps.clock.advance(5);
    await revoke(deps, (await deps.store.getUser(victim.id)) as UserRecord);
    gated.release();
    return { deps, attacker, victim };
  };

  it('a mailed-link reset refuses the in-flight sign-in with the old password', async () => {
    const { attacker } = await race(async (deps) => {
      await forgotPassword(deps, 'vic@example.com', meta);
      const reset = tokenIn(deps.mailer.sent.at(-1)?.text) as string;
      await resetPasswordWithToken(
        deps,
        { token: reset, password: 'victim new passphrase 9' },
        meta,
      );
    });
    await expect(attacker).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('POST /me/password refuses the in-flight sign-in with the old password', async () => {
    const { attacker } = await race(async (deps, victim) => {
      await changeOwnPassword(
        deps,
        { kind: 'user', user: victim, tokenId: null },
        '',
        { current_password: 'stolen old passphrase 1', new_password: 'victim new passphrase 9' },
        meta,
      );
    });
    await expect(attacker).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('a role change opens the in-flight session only at the new version (fresh read)', async () => {
    const { deps, attacker, victim } = await race(async (d, v) => {
      const root = (await d.store.findUserByEmail('root@example.com')) as UserRecord;
      await updateUser(
        d,
        { kind: 'user', user: root, tokenId: null },
        v.id,
        { role: 'editor' },
        meta,
      );
    });
    const tokens = await attacker;
    expect(tokens.user.role).toBe('editor');
    const session = await deps.store.getSession(sidOf(tokens.access_token));
    expect(session?.credentialVersion).toBe(
      (await deps.store.getUser(victim.id))?.credentialVersion,
    );
  });

  it('an SSO takeover of a pre-claimed sign-up leaves the squatter no session', async () => {
    const base = testDeps({ SIGN_UP_ENABLED: '1', SSO_JWT_SECRET: SECRET });
    const gated = gatedHasher(base.hasher);
    const deps: TestDeps = { ...base, hasher: gated.hasher };
    await make(deps, 'root@example.com', 'owner', 'owner passphrase 123456');
    await signUp(deps, { email: 'ceo@corp.example', password: 'squatter passphrase 1' }, meta);
    const parked = gated.arm();
    const squatter = signInWithPassword(deps, {
      login: 'ceo@corp.example',
      password: 'squatter passphrase 1',
    });
    await parked;
    const verify = createSsoTokenVerifier(
      deps.config.sso as NonNullable<typeof deps.config.sso>,
      deps.clock.now,
    );
    await signInWithSso(deps, verify, await ssoJwt(deps, { email: 'ceo@corp.example' }), meta);
    gated.release();
    await expect(squatter).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it.each([
    ['a mailed-link reset', 'self'],
    ["an owner's reset", 'owner'],
  ])('%s is never undone by the in-flight rehash of the old password', async (_, by) => {
    const before = testDeps();
    await make(before, 'root@example.com', 'owner', 'owner passphrase 123456');
    const made = await make(before, 'vic@example.com', 'viewer', 'leaked old passphrase');
    // BCRYPT_COST raised since: the next sign-in rehashes.
    const g = gatedHasher(createBcryptHasher(5));
    const deps: TestDeps = { ...before, hasher: g.hasher };
    const parked = g.arm();
    const attacker = signInWithPassword(deps, {
      login: 'vic@example.com',
      password: 'leaked old passphrase',
    });
    await parked;
    deps.clock.advance(5);
    if (by === 'self') {
      await forgotPassword(deps, 'vic@example.com', meta);
      const link = tokenIn(deps.mailer.sent.at(-1)?.text) as string;
      await resetPasswordWithToken(
        deps,
        { token: link, password: 'victim new passphrase 77' },
        meta,
      );
    } else {
      const owner = (await deps.store.findUserByEmail('root@example.com')) as UserRecord;
      const actor = { kind: 'user' as const, user: owner, tokenId: null };
      await resetPassword(deps, actor, made.id, 'victim new passphrase 77', noRequest);
    }
    g.release();
    await expect(attacker).rejects.toMatchObject({ code: 'invalid_credentials' });
    deps.clock.advance(5);
    await expect(
      signInWithPassword(deps, { login: 'vic@example.com', password: 'leaked old passphrase' }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
    const ok = await signInWithPassword(deps, {
      login: 'vic@example.com',
      password: 'victim new passphrase 77',
    });
    expect(ok.user.id).toBe(made.id);
  });
});

describe('a takeover leaves the squatter no way back in (red team A finding 5)', () => {
  const setup = async () => {
    const deps = testDeps({
      SIGN_UP_ENABLED: '1',
      SSO_JWT_SECRET: SECRET,
      SSO_GROUP_SYNC: '1',
      SSO_GROUP_MAPPINGS: '{"founders":"owner"}',
    });
    await make(deps, 'root@example.com', 'owner', 'owner passphrase 123456');
    const squat = await signUp(
      deps,
      { email: 'ceo@corp.example', password: 'squatter passphrase 1' },
      meta,
    );
    const takeOver = async () =>
      signInWithSso(
        deps,
        createSsoTokenVerifier(
          deps.config.sso as NonNullable<typeof deps.config.sso>,
          deps.clock.now,
        ),
        await ssoJwt(deps, { email: 'ceo@corp.example', groups: ['founders'] }),
        meta,
      );
    return { deps, squatId: squat.id, takeOver };
  };

  it('an email-change link asked for before the takeover is refused after it', async () => {
    const { deps, squatId, takeOver } = await setup();
    const squat = (await deps.store.getUser(squatId)) as UserRecord;
    await updateOwnProfile(
      deps,
      { kind: 'user', user: squat, tokenId: null },
      { email: 'squatter@evil.example' },
      meta,
      { authTime: null, password: 'squatter passphrase 1' },
    );
    const link = tokenIn(deps.mailer.sent.find((m) => m.to === 'squatter@evil.example')?.text);
    expect(link).toMatch(/^evt_/);
    const ceo = await takeOver();
    expect(ceo.user.role).toBe('owner');
    deps.clock.advance(30);
    await expect(verifyEmail(deps, link as string, meta)).rejects.toMatchObject(invalidLink);
    const after = await deps.store.getUser(squatId);
    expect(after?.email).toBe('ceo@corp.example');
    expect(after?.identities).toHaveLength(1);
  });

  it('an authorization code issued before the takeover opens no session after it', async () => {
    const { deps, squatId, takeOver } = await setup();
    const verifier = randomBytes(32).toString('base64url');
    const code = await issueAuthorizationCode(deps, {
      clientId: 'first-party-app',
      redirectUri: 'https://app.example.com/cb',
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      userId: squatId,
      scope: ['profile'],
    });
    await takeOver();
    deps.clock.advance(20);
    await expect(
      exchangeAuthorizationCode(deps, {
        code,
        clientId: 'first-party-app',
        redirectUri: 'https://app.example.com/cb',
        codeVerifier: verifier,
      }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });
});

describe('a client deleted mid-request yields no session (red team B finding 5)', () => {
  it('refuses the code exchanged across DELETE /clients, writing no session', async () => {
    const deps = testDeps();
    const CB = 'https://app.example.com/cb';
    const client = await createClient(
      deps,
      operator,
      {
        name: 'evil',
        grant_types: ['authorization_code', 'refresh_token'],
        confidential: true,
        first_party: false,
        redirect_uris: [CB],
      },
      { ip: null, userAgent: null },
    );
    const user = await createUserWithPassword(deps, { role: 'admin' });
    const code = await issueAuthorizationCode(deps, {
      clientId: client.client_id,
      redirectUri: CB,
      codeChallenge: '',
      userId: user.id,
      scope: ['users:read'],
    });
    expect(
      await authenticateClient(deps, client.client_id, client.client_secret as string),
    ).not.toBeNull();
    await deleteClient(deps, operator, client.client_id, { ip: null, userAgent: null });
    await expect(
      exchangeAuthorizationCode(deps, { code, clientId: client.client_id, redirectUri: CB }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(await deps.store.revokeClientSessions(client.client_id, deps.clock.now())).toBe(0);
  });
});
