import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { MfaRequiredError } from '../../../../src/core/mfa/second-factor-gate';
import { bumpCredentialVersion } from '../../../../src/core/sessions/credential-version';
import { finishMfaSignIn } from '../../../../src/core/sessions/mfa-sign-in';
import { rotateRefreshToken, startSession } from '../../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { loadConfig } from '../../../../src/core/shared/config';
import type { CoreDeps } from '../../../../src/core/shared/deps';
import type { UserRecord } from '../../../../src/core/users/users';
import { testDeps } from '../../../support/core-deps';
import { confirmedTotp } from '../../../support/mfa-fixtures';
import { totpCodeAt } from '../../../support/totp-codes';
import { createUserWithPassword, PASSWORD } from '../../../support/users';

const code = (name: string) => expect.objectContaining({ code: name });
const auth = { endpoint: 'auth' } as const;

/** The right password of a user with a factor: the MfaRequiredError it must answer. */
const passwordStep = async (deps: CoreDeps, user: UserRecord): Promise<MfaRequiredError> => {
  const error = await signInWithPassword(deps, { login: user.email, password: PASSWORD }).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MfaRequiredError);
  return error as MfaRequiredError;
};

const claims = (token: string) => decodeJwt(token) as { amr: string[]; scope: string; sid: string };

describe('sign-in with a second factor', () => {
  it('answers an mfa_token for the right password, and a session only after the code', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    const { factorId, secret } = await confirmedTotp(deps, user);
    const required = await passwordStep(deps, user);
    expect(required.mfaToken).toMatch(/^mft_[A-Za-z0-9_-]{43}$/);
    expect(required.factors).toEqual([{ factor_id: factorId, type: 'totp' }]);
    deps.clock.advance(30);
    const tokens = await finishMfaSignIn(
      deps,
      { mfaToken: required.mfaToken, code: totpCodeAt(secret, deps.clock.now()) },
      auth,
      noRequest,
    );
    expect(claims(tokens.access_token).amr.sort()).toEqual(['mfa', 'otp', 'pwd']);
    // Kept through refresh (stored on the session).
    const refreshed = await rotateRefreshToken(deps, tokens.refresh_token, auth);
    expect(claims(refreshed.access_token).amr.sort()).toEqual(['mfa', 'otp', 'pwd']);
  });

  it('lets an mfa_token live 300 s: a right code at 300 s is token_invalid', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    const { secret } = await confirmedTotp(deps, user);
    const late = await passwordStep(deps, user);
    const inTime = await passwordStep(deps, user);
    deps.clock.advance(299);
    const right = () => totpCodeAt(secret, deps.clock.now());
    await expect(
      finishMfaSignIn(deps, { mfaToken: inTime.mfaToken, code: right() }, auth, noRequest),
    ).resolves.toHaveProperty('access_token');
    deps.clock.advance(31);
    await expect(
      finishMfaSignIn(deps, { mfaToken: late.mfaToken, code: right() }, auth, noRequest),
    ).rejects.toEqual(code('token_invalid'));
  });

  it('voids the mfa_token when the credentials move after the password step', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    const { codes } = await confirmedTotp(deps, user);
    const required = await passwordStep(deps, user);
    // An admin's reset (or sign-out everywhere) meanwhile.
    await bumpCredentialVersion(deps, user.id);
    await expect(
      finishMfaSignIn(
        deps,
        { mfaToken: required.mfaToken, code: (codes as string[])[0] as string },
        auth,
        noRequest,
      ),
    ).rejects.toEqual(code('token_invalid'));
  });
});

describe('MFA_REQUIRED_ROLES', () => {
  it('reads comma-separated roles and refuses an unknown one', () => {
    expect(loadConfig({ MFA_REQUIRED_ROLES: 'admin, owner' }).mfaRequiredRoles).toEqual([
      'admin',
      'owner',
    ]);
    expect(loadConfig({}).mfaRequiredRoles).toEqual([]);
    expect(() => loadConfig({ MFA_REQUIRED_ROLES: 'admin,root' })).toThrow(/MFA_REQUIRED_ROLES/);
  });

  it('gives only profile to any session without mfa in its amr, whatever opened it', async () => {
    const deps = testDeps({ MFA_REQUIRED_ROLES: 'editor' });
    const editor = await createUserWithPassword(deps, { role: 'editor' });
    const viewer = await createUserWithPassword(deps, { role: 'viewer' });
    // A code flow or SSO session opens through startSession too.
    const sso = await startSession(deps, editor, null, { origin: 'sso' });
    expect(sso.scope).toBe('profile');
    const password = await signInWithPassword(deps, { login: editor.email, password: PASSWORD });
    expect(password.scope).toBe('profile');
    expect(claims(password.access_token).scope).toBe('profile');
    const other = await signInWithPassword(deps, { login: viewer.email, password: PASSWORD });
    expect(other.scope.split(' ')).toContain('tokens:read');
    // Still only profile at refresh while the user has no factor.
    const refreshed = await rotateRefreshToken(deps, password.refresh_token, auth);
    expect(refreshed.scope).toBe('profile');
  });

  it("asks the held-back session's refresh for a factor once one exists, then renews the same sid", async () => {
    const deps = testDeps({ MFA_REQUIRED_ROLES: 'editor' });
    const editor = await createUserWithPassword(deps, { role: 'editor' });
    const held = await signInWithPassword(deps, { login: editor.email, password: PASSWORD });
    const { secret } = await confirmedTotp(deps, editor);
    const asked = await rotateRefreshToken(deps, held.refresh_token, auth).then(
      () => null,
      (error: unknown) => error,
    );
    expect(asked).toBeInstanceOf(MfaRequiredError);
    deps.clock.advance(30);
    const renewed = await finishMfaSignIn(
      deps,
      {
        mfaToken: (asked as MfaRequiredError).mfaToken,
        code: totpCodeAt(secret, deps.clock.now()),
      },
      auth,
      noRequest,
    );
    expect(claims(renewed.access_token).sid).toBe(claims(held.access_token).sid);
    expect(claims(renewed.access_token).amr.sort()).toEqual(['mfa', 'otp', 'pwd']);
    expect(renewed.scope.split(' ')).toContain('create_session');
    // And every later refresh of that session keeps both.
    const later = await rotateRefreshToken(deps, renewed.refresh_token, auth);
    expect(later.scope).toBe(renewed.scope);
    expect(claims(later.access_token).amr.sort()).toEqual(['mfa', 'otp', 'pwd']);
  });
});
