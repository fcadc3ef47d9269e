import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { updateOwnProfile } from '../../../../src/core/account/account';
import {
  forgotPassword,
  resetPasswordWithToken,
  verifyEmail,
} from '../../../../src/core/account/self-service';
import { noRequest } from '../../../../src/core/audit/audit';
import { signInWithSso } from '../../../../src/core/identity/sso-sign-in';
import { createSsoTokenVerifier } from '../../../../src/core/identity/sso-token';
import type { TokenResponse } from '../../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import type { CoreDeps } from '../../../../src/core/shared/deps';
import { findApiToken } from '../../../../src/core/tokens/api-token-judge';
import { createApiToken } from '../../../../src/core/tokens/api-tokens';
import { requestOrigin } from '../../../../src/core/users/credential-lineage';
import { resetPassword, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import type { UserRecord } from '../../../../src/core/users/users';
import { testDeps } from '../../../support/core-deps';
import { hs256SsoToken } from '../../../support/sso-token';
import { createdUser } from '../../../support/users';

// Red team A, findings 2, 3 and 4, inverted: each attack must FAIL. The invariant
// (credential-lineage.ts, raise-rule.ts): no credential an admin made or influenced ever
// carries a role above editor; only credentials the person made untainted, or an owner (or
// the operator/an import) made, carry a raised role.

const SECRET = 'a shared sso secret of some length';
const operator: Actor = { kind: 'operator', name: 'cli' };
const meta = { ip: '203.0.113.9', userAgent: 'redteam' };
const tokenIn = (text: string | undefined) =>
  /#token=((?:evt|prt)_[\w-]{43})/.exec(text ?? '')?.[1];

/** The actor of a request made with a sign-in's access token, origin included, as HTTP does. */
const actorOf = async (deps: CoreDeps, signedIn: TokenResponse, userId: string) => {
  const sid = decodeJwt(signedIn.access_token).sid as string;
  return {
    kind: 'user' as const,
    user: (await deps.store.getUser(userId)) as UserRecord,
    tokenId: null,
    origin: await requestOrigin(deps, { sid, tokenId: null }),
  };
};

const world = async (env: Record<string, string> = {}) => {
  const deps = testDeps(env);
  const make = async (
    email: string,
    role: 'owner' | 'admin' | 'viewer',
    password?: string,
    identities?: { provider: string; subject: string }[],
  ) =>
    await createdUser(deps, operator, {
      email,
      role,
      ...(password ? { password } : {}),
      ...(identities ? { identities } : {}),
      type: 'human',
    });
  const owner = await make('root@example.com', 'owner', 'owner passphrase 123456');
  const admin = await make('ada@example.com', 'admin', 'admin passphrase 123456');
  const as = (user: UserRecord): Actor => ({ kind: 'user', user, tokenId: null });
  return { deps, make, owner, admin, as };
};

const ssoToken = (deps: CoreDeps, claims: Record<string, unknown>) =>
  hs256SsoToken(deps.clock, claims, SECRET);

describe('admin to owner (red team A, findings 2-4): every path fails', () => {
  it('finding 2: an API token an admin minted in a session its password opened is revoked by an owner raise', async () => {
    const { deps, make, owner, admin, as } = await world();
    const pat = await make('pat@example.com', 'viewer', 'pat own passphrase 123');
    const ADMIN_PW = 'admin knows this one now';
    await resetPassword(deps, as(admin), pat.id, ADMIN_PW, noRequest);
    const session = await signInWithPassword(deps, {
      login: 'pat@example.com',
      password: ADMIN_PW,
    });
    const actor = await actorOf(deps, session, pat.id);
    expect(actor.origin).toBe('admin');
    const minted = await createApiToken(
      deps,
      actor,
      session.scope.split(' '),
      { name: 'backup' },
      noRequest,
      { sid: '', tokenId: null },
    );
    expect(minted.created_by).toBe(pat.id);
    await updateUser(deps, as(owner), pat.id, { role: 'owner' }, noRequest);
    await expect(
      signInWithPassword(deps, { login: 'pat@example.com', password: ADMIN_PW }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect((await findApiToken(deps, minted.token)).valid).toBe(false);
  });

  it('finding 3: a password set through a reset link mailed to an admin-set address is an admin password, removed by an owner raise', async () => {
    const { deps, make, owner, admin, as } = await world();
    const pat = await make('pat@example.com', 'viewer', 'pat own passphrase 123');
    await updateUser(deps, as(admin), pat.id, { email: 'ada-drop@evil.example' }, noRequest);
    deps.clock.advance(5);
    await forgotPassword(deps, 'ada-drop@evil.example', meta);
    const link = tokenIn(deps.mailer.sent.at(-1)?.text) as string;
    const LAUNDERED = 'admin chose this via the link';
    await resetPasswordWithToken(deps, { token: link, password: LAUNDERED }, meta);
    expect((await deps.store.getUser(pat.id))?.passwordSetBy).toBe('admin');
    await updateUser(deps, as(admin), pat.id, { email: 'pat@example.com' }, noRequest);
    // The address is still the admin's choice: an owner cannot raise it until it is proven.
    await expect(
      updateUser(deps, as(owner), pat.id, { role: 'owner' }, noRequest),
    ).rejects.toMatchObject({ code: 'conflict' });
    // An owner sets the email (vouching for it) and raises: the laundered password is gone.
    await updateUser(deps, as(owner), pat.id, { email: 'pat2@example.com' }, noRequest);
    await updateUser(deps, as(owner), pat.id, { role: 'owner' }, noRequest);
    await expect(
      signInWithPassword(deps, { login: 'pat2@example.com', password: LAUNDERED }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('finding 3 (sync): an email set and verified in an admin-opened session taints the reset password; the sync raise removes it', async () => {
    const { deps, make, admin, as } = await world({
      SSO_JWT_SECRET: SECRET,
      SSO_GROUP_SYNC: '1',
      SSO_GROUP_MAPPINGS: '{"founders":"owner"}',
    });
    const pat = await make('pat@corp.example', 'viewer', undefined, [
      { provider: 'jwt', subject: 'pat@corp.example' },
    ]);
    const ADMIN_PW = 'admin knows this one now';
    await resetPassword(deps, as(admin), pat.id, ADMIN_PW, noRequest);
    const session = await signInWithPassword(deps, {
      login: 'pat@corp.example',
      password: ADMIN_PW,
    });
    await updateOwnProfile(
      deps,
      await actorOf(deps, session, pat.id),
      { email: 'ada-drop@evil.example' },
      meta,
      // The step-up holds: the admin knows the password it set.
      { password: ADMIN_PW, authTime: null },
    );
    const change = tokenIn(deps.mailer.sent.find((m) => m.to === 'ada-drop@evil.example')?.text);
    deps.clock.advance(5);
    await verifyEmail(deps, change as string, meta, ADMIN_PW);
    expect((await deps.store.getUser(pat.id))?.emailSetBy).toBe('admin');
    deps.clock.advance(5);
    await forgotPassword(deps, 'ada-drop@evil.example', meta);
    const reset = tokenIn(deps.mailer.sent.at(-1)?.text) as string;
    const LAUNDERED = 'admin chose this via the link';
    await resetPasswordWithToken(deps, { token: reset, password: LAUNDERED }, meta);
    expect((await deps.store.getUser(pat.id))?.passwordSetBy).toBe('admin');
    const verify = createSsoTokenVerifier(
      deps.config.sso as NonNullable<typeof deps.config.sso>,
      deps.clock.now,
    );
    const jwt = await ssoToken(deps, { email: 'pat@corp.example', groups: ['founders'] });
    const sso = await signInWithSso(deps, verify, jwt, meta);
    expect(sso.user.role).toBe('owner');
    await expect(
      signInWithPassword(deps, { login: 'pat@corp.example', password: LAUNDERED }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('finding 4: an owner cannot raise an account whose email an admin set, and no SSO login takes an owner over by email', async () => {
    const { deps, make, owner, admin, as } = await world({ SSO_JWT_SECRET: SECRET });
    const pat = await make('pat@corp.example', 'viewer', 'pat own passphrase 1234');
    await updateUser(deps, as(admin), pat.id, { email: 'ada.alias@corp.example' }, noRequest);
    await expect(
      updateUser(deps, as(owner), pat.id, { role: 'owner' }, noRequest),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/proven first/) });
    expect((await deps.store.getUser(pat.id))?.role).toBe('viewer');
    // Even an owner account with an unproven email (stored so before this rule) is never
    // taken over by a login: 409, nothing written.
    const stored = (await deps.store.getUser(pat.id)) as UserRecord;
    await deps.store.updateUser(stored, {
      ...stored,
      role: 'owner',
      updatedAt: stored.updatedAt + 1,
    });
    const before = await deps.store.getUser(pat.id);
    const verify = createSsoTokenVerifier(
      deps.config.sso as NonNullable<typeof deps.config.sso>,
      deps.clock.now,
    );
    const jwt = await ssoToken(deps, { email: 'ada.alias@corp.example' });
    await expect(signInWithSso(deps, verify, jwt, meta)).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await deps.store.getUser(pat.id)).toEqual(before);
    expect(await deps.store.findUserByIdentity('jwt', 'ada.alias@corp.example')).toBeNull();
  });

  it('finding 3 (legacy): a password of unknown setter is removed by an owner raise, as by a sync raise', async () => {
    const { deps, make, owner, as } = await world();
    const pat = await make('pat@example.com', 'viewer', 'pat own passphrase 123');
    const legacy = { ...pat, passwordHash: await deps.hasher.hash('admin set this in 2025') };
    delete (legacy as Partial<UserRecord>).passwordSetBy;
    await deps.store.updateUser(pat, { ...legacy, updatedAt: pat.updatedAt + 1 });
    const { passwordKeptOnRaise } = await import('../../../../src/core/users/raise-rule');
    expect(passwordKeptOnRaise((await deps.store.getUser(pat.id)) as UserRecord)).toBe(false);
    await updateUser(deps, as(owner), pat.id, { role: 'owner' }, noRequest);
    await expect(
      signInWithPassword(deps, { login: 'pat@example.com', password: 'admin set this in 2025' }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });
});
