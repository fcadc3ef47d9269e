import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { changeOwnPassword } from '../../../../src/core/account/account';
import {
  forgotPassword,
  resetPasswordWithToken,
  signUp,
  verifyEmail,
} from '../../../../src/core/account/self-service';
import { noRequest } from '../../../../src/core/audit/audit';
import { planLink, ssoLogin } from '../../../../src/core/identity/account-linking';
import { createUser, resetPassword, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import { linkingOf, type UserRecord } from '../../../../src/core/users/users';
import type { TestDeps } from '../../../support/core-deps';
import {
  apiTokenOf,
  linkingDeps,
  passwordSession,
  roleNow,
  ssoSignIn,
} from '../../../support/linking';
import { aUser } from '../../../support/users';

const OPERATOR: Actor = { kind: 'operator', name: 'unit' };
const ATTACKER_PASSWORD = 'the attacker chose this one';
const ADMIN_KNOWS = 'the admin set this password';
const conflict = expect.objectContaining({ code: 'conflict' });

const stored = async (deps: TestDeps, id: string) => (await deps.store.getUser(id)) as UserRecord;
const asUser = async (deps: TestDeps, id: string): Promise<Extract<Actor, { kind: 'user' }>> => ({
  kind: 'user',
  user: await stored(deps, id),
  tokenId: null,
});
const made = async (deps: TestDeps, role: UserRecord['role'], email: string, password?: string) =>
  createUser(deps, OPERATOR, { email, role, ...(password ? { password } : {}) }, noRequest);
const audited = async (deps: TestDeps, action: string) =>
  (await deps.store.listAuditEvents({ limit: 100, action })).items;

describe('finding 1: a sign-up cannot pre-claim an SSO identity', () => {
  it('the first SSO login takes the unproven account over: password, sessions, API tokens gone', async () => {
    const deps = linkingDeps();
    const squatter = await signUp(
      deps,
      { email: 'CEO@corp.test', password: ATTACKER_PASSWORD },
      noRequest,
    );
    expect(squatter).toMatchObject({ email_verified: false, identities: [], status: 'active' });
    const session = await passwordSession(deps, 'ceo@corp.test', ATTACKER_PASSWORD);
    const tokenId = await apiTokenOf(deps, await stored(deps, squatter.id));

    const { user } = await ssoSignIn(deps, 'ceo@corp.test', ['owners']);
    expect(user).toMatchObject({ id: squatter.id, role: 'owner', emailVerified: true });
    expect(linkingOf(user).identities).toEqual([
      { provider: 'jwt', subject: 'ceo@corp.test', linkedAt: deps.clock.now() },
    ]);
    expect(await roleNow.password(deps, squatter.id, ATTACKER_PASSWORD)).toBeNull();
    expect(await passwordSession(deps, 'ceo@corp.test', ATTACKER_PASSWORD)).toEqual({
      refused: 'invalid_credentials',
    });
    expect(await roleNow.session(deps, session.sid as string)).toBeNull();
    expect(await roleNow.apiToken(deps, tokenId)).toBeNull();
    const [link] = await audited(deps, 'user.link');
    expect(link).toMatchObject({
      target_id: squatter.id,
      detail: { provider: 'jwt', subject: 'ceo@corp.test', takeover: true },
    });
  });

  it('with verification on, confirming the mail without the password removes it too', async () => {
    const deps = linkingDeps({ REQUIRE_EMAIL_VERIFICATION: '1' });
    const squatter = await signUp(
      deps,
      { email: 'ceo@corp.test', password: ATTACKER_PASSWORD },
      noRequest,
    );
    const token = /#token=(evt_[\w-]{43})/.exec(deps.mailer.sent[0]?.text ?? '')?.[1] as string;
    await verifyEmail(deps, token, noRequest);
    expect(await stored(deps, squatter.id)).toMatchObject({
      status: 'active',
      emailVerified: true,
      passwordHash: null,
    });
  });

  it('confirming with the account’s own password keeps it (the ordinary sign-up)', async () => {
    const deps = linkingDeps({ REQUIRE_EMAIL_VERIFICATION: '1' });
    const member = await signUp(
      deps,
      { email: 'me@corp.test', password: ATTACKER_PASSWORD },
      noRequest,
    );
    const token = /#token=(evt_[\w-]{43})/.exec(deps.mailer.sent[0]?.text ?? '')?.[1] as string;
    await verifyEmail(deps, token, noRequest, ATTACKER_PASSWORD);
    expect(await roleNow.password(deps, member.id, ATTACKER_PASSWORD)).toBe('viewer');
    expect((await stored(deps, member.id)).emailVerified).toBe(true);
  });

  it('a mailed reset proves the address and keeps only the password it sets', async () => {
    const deps = linkingDeps();
    const squatter = await signUp(
      deps,
      { email: 'ceo@corp.test', password: ATTACKER_PASSWORD },
      noRequest,
    );
    const tokenId = await apiTokenOf(deps, await stored(deps, squatter.id));
    deps.clock.advance(1);
    await forgotPassword(deps, 'ceo@corp.test', noRequest);
    const token = /#token=(prt_[\w-]{43})/.exec(deps.mailer.sent.at(-1)?.text ?? '')?.[1] as string;
    await resetPasswordWithToken(deps, { token, password: 'the real ceo chose this' }, noRequest);
    expect(await roleNow.apiToken(deps, tokenId)).toBeNull();
    expect(await roleNow.password(deps, squatter.id, 'the real ceo chose this')).toBe('viewer');
    expect((await stored(deps, squatter.id)).emailVerified).toBe(true);
  });
});

describe('finding 2: an admin cannot make a credential that becomes an owner’s', () => {
  it('an admin’s email change makes it unproven and drops identities; the SSO login takes over', async () => {
    const deps = linkingDeps();
    const admin = await made(deps, 'admin', 'admin@corp.test', 'admin passphrase one');
    const viewer = await made(deps, 'viewer', 'viewer@corp.test');
    await ssoSignIn(deps, 'viewer@corp.test');
    expect(linkingOf(await stored(deps, viewer.id)).identities).toHaveLength(1);
    await resetPassword(deps, await asUser(deps, admin.id), viewer.id, ADMIN_KNOWS, noRequest);
    const changed = await updateUser(
      deps,
      await asUser(deps, admin.id),
      viewer.id,
      { email: 'boss@corp.test' },
      noRequest,
    );
    expect(changed).toMatchObject({ email_verified: false, identities: [] });
    const { user } = await ssoSignIn(deps, 'boss@corp.test', ['owners']);
    expect(user).toMatchObject({ id: viewer.id, role: 'owner' });
    expect(await roleNow.password(deps, viewer.id, ADMIN_KNOWS)).toBeNull();
  });

  it('an owner’s email change stays proven and keeps identities', async () => {
    const deps = linkingDeps();
    const owner = await made(deps, 'owner', 'owner@corp.test', 'owner passphrase one');
    const viewer = await made(deps, 'viewer', 'v@corp.test');
    await ssoSignIn(deps, 'v@corp.test');
    const changed = await updateUser(
      deps,
      await asUser(deps, owner.id),
      viewer.id,
      { email: 'v2@corp.test' },
      noRequest,
    );
    expect(changed).toMatchObject({ email_verified: true });
    expect(changed.identities).toHaveLength(1);
  });

  it('a role raise by group sync removes an admin-set password and ends every earlier credential', async () => {
    const deps = linkingDeps();
    const admin = await made(deps, 'admin', 'admin@corp.test', 'admin passphrase one');
    const viewer = await made(deps, 'viewer', 'cfo@corp.test');
    await resetPassword(deps, await asUser(deps, admin.id), viewer.id, ADMIN_KNOWS, noRequest);
    const session = await passwordSession(deps, 'cfo@corp.test', ADMIN_KNOWS);
    const tokenId = await apiTokenOf(deps, await stored(deps, viewer.id));
    const { user, tokens } = await ssoSignIn(deps, 'cfo@corp.test', ['owners']);
    expect(user).toMatchObject({ id: viewer.id, role: 'owner', passwordHash: null });
    expect(await roleNow.session(deps, session.sid as string)).toBeNull();
    expect(await roleNow.apiToken(deps, tokenId)).toBeNull();
    expect(await roleNow.session(deps, tokens.browserSession?.split('.')[0] as string)).toBe(
      'owner',
    );
  });

  it('an admin’s password changed through /me still counts as the admin’s at a raise', async () => {
    const deps = linkingDeps();
    const admin = await made(deps, 'admin', 'admin@corp.test', 'admin passphrase one');
    const viewer = await made(deps, 'viewer', 'cio@corp.test');
    await resetPassword(deps, await asUser(deps, admin.id), viewer.id, ADMIN_KNOWS, noRequest);
    const session = await passwordSession(deps, 'cio@corp.test', ADMIN_KNOWS);
    const laundered = 'the admin launders it here';
    await changeOwnPassword(
      deps,
      await asUser(deps, viewer.id),
      session.sid as string,
      { current_password: ADMIN_KNOWS, new_password: laundered },
      noRequest,
    );
    await ssoSignIn(deps, 'cio@corp.test', ['owners']);
    expect(await roleNow.password(deps, viewer.id, laundered)).toBeNull();
  });

  it('keeps a password an owner set, and the person’s own, through a raise', async () => {
    const deps = linkingDeps();
    const owner = await made(deps, 'owner', 'owner@corp.test', 'owner passphrase one');
    const viewer = await made(deps, 'viewer', 'coo@corp.test');
    await resetPassword(
      deps,
      await asUser(deps, owner.id),
      viewer.id,
      'the owner set this one',
      noRequest,
    );
    await ssoSignIn(deps, 'coo@corp.test', ['admins']);
    expect(await roleNow.password(deps, viewer.id, 'the owner set this one')).toBe('admin');
  });
});

describe('linking rules', () => {
  it('finds the linked user first, whatever the emails say, and its email follows the provider', async () => {
    const deps = linkingDeps();
    const owner = await made(deps, 'owner', 'owner@corp.test', 'owner passphrase one');
    const ann = await made(deps, 'viewer', 'ann@corp.test');
    await ssoSignIn(deps, 'ann@corp.test');
    await updateUser(
      deps,
      await asUser(deps, owner.id),
      ann.id,
      { email: 'ann.lee@corp.test' },
      noRequest,
    );
    const { user } = await ssoSignIn(deps, 'Ann@corp.test');
    expect(user).toMatchObject({ id: ann.id, email: 'Ann@corp.test' });
  });

  it('never links an admin or owner by email alone: without the hosted page (pending-link.test.ts) 409, nothing created', async () => {
    const deps = linkingDeps();
    await made(deps, 'admin', 'root@corp.test', 'admin passphrase one');
    await expect(ssoSignIn(deps, 'root@corp.test', ['owners'])).rejects.toEqual(conflict);
    expect((await deps.store.listUsers({ limit: 10 })).items).toHaveLength(1);
  });

  it('links an owner-made user created with the identity, active even when new users wait', async () => {
    const deps = linkingDeps({ SSO_NEW_USERS: 'pending' });
    const created = await createUser(
      deps,
      OPERATOR,
      {
        email: 'x@corp.test',
        role: 'admin',
        identities: [{ provider: 'jwt', subject: 'x@corp.test' }],
      },
      noRequest,
    );
    const { user } = await ssoSignIn(deps, 'x@corp.test', ['admins']);
    expect(user).toMatchObject({ id: created.id, status: 'active', role: 'admin' });
    await expect(
      createUser(
        deps,
        OPERATOR,
        {
          email: 'y@corp.test',
          role: 'viewer',
          identities: [{ provider: 'jwt', subject: 'x@corp.test' }],
        },
        noRequest,
      ),
    ).rejects.toEqual(conflict);
  });

  it('creates a new account with the identity and a proven email', async () => {
    const deps = linkingDeps();
    const { user } = await ssoSignIn(deps, 'new@corp.test', ['eds']);
    expect(user).toMatchObject({ role: 'editor', emailVerified: true });
    expect((await deps.store.findUserByIdentity('jwt', 'new@corp.test'))?.id).toBe(user.id);
  });

  it('names JWKS identities jwt:<iss> with sub, else the email, and refuses an unvouched email', async () => {
    const deps = linkingDeps();
    const key = new Uint8Array(32);
    const rs = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).sign(key);
    const header = `${Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url')}.${rs.split('.').slice(1).join('.')}`;
    expect(ssoLogin(header, { iss: 'https://idp', sub: 's-1' }, 'A@b.co').identity).toEqual({
      provider: 'jwt:https://idp',
      subject: 's-1',
    });
    expect(ssoLogin(header, { iss: 'https://idp' }, 'A@b.co').identity.subject).toBe('a@b.co');
    expect(() => ssoLogin(header, { iss: 'https://idp', sub: 'x'.repeat(513) }, 'a@b.co')).toThrow(
      /too long/,
    );
    const unvouched = ssoLogin(
      header,
      { iss: 'https://idp', email_verified: false },
      'v@corp.test',
    );
    await made(deps, 'viewer', 'v@corp.test');
    await expect(planLink(deps, unvouched)).rejects.toEqual(conflict);
  });

  it('signs a stored admin SSO linked before identities existed in by its old link, and stores it', async () => {
    const deps = linkingDeps();
    const legacy = aUser({ email: 'old@corp.test', role: 'admin', ssoLinkedAt: 1 });
    await deps.store.createUser(legacy);
    expect(await deps.store.findUserByIdentity('jwt', 'old@corp.test')).toBeNull();
    const { user } = await ssoSignIn(deps, 'old@corp.test', ['admins']);
    expect(user.id).toBe(legacy.id);
    expect((await deps.store.findUserByIdentity('jwt', 'old@corp.test'))?.id).toBe(legacy.id);
  });

  it('migrates stored users by one rule', () => {
    const at = Date.UTC(2026, 0, 1);
    const rule = (over: Partial<UserRecord>) => linkingOf(aUser(over)).emailVerified;
    expect(rule({ passwordHash: 'h' })).toBe(false);
    expect(rule({ passwordHash: 'h', status: 'unverified' })).toBe(false);
    expect(rule({ passwordHash: null })).toBe(true);
    expect(rule({ passwordHash: 'h', role: 'owner' })).toBe(true);
    expect(rule({ passwordHash: 'h', ssoLinkedAt: at })).toBe(true);
    expect(rule({ passwordHash: 'h', emailVerified: false, role: 'owner' })).toBe(false);
    expect(linkingOf(aUser({ email: 'S@x.co', ssoLinkedAt: at })).identities).toEqual([
      { provider: 'jwt', subject: 's@x.co', linkedAt: at },
    ]);
  });
});
