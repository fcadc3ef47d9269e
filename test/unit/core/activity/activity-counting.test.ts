import { describe, expect, it } from 'vitest';
import { activityDashboard } from '../../../../src/core/activity/dashboard';
import { noRequest } from '../../../../src/core/audit/audit';
import { MfaRequiredError } from '../../../../src/core/mfa/second-factor-gate';
import { finishMfaSignIn } from '../../../../src/core/sessions/mfa-sign-in';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { createUser } from '../../../../src/core/users/user-management';
import { testDeps } from '../../../support/core-deps';
import { confirmedTotp } from '../../../support/mfa-fixtures';
import { totpCodeAt } from '../../../support/totp-codes';
import { createUserWithPassword, PASSWORD } from '../../../support/users';

const last24h = async (deps: ReturnType<typeof testDeps>) =>
  (await activityDashboard(deps)).last24h;
const attempt = (deps: ReturnType<typeof testDeps>, login: string, password: string) =>
  signInWithPassword(deps, { login, password }).then(
    () => 'ok',
    (error: { code: string }) => error,
  );

describe('counting activity where it happens', () => {
  it('counts sign-ins, failures, and a lock once where it begins (not each refusal while it holds)', async () => {
    const deps = testDeps({
      LOCKOUT_THRESHOLD: '3',
      LOCKOUT_BASE_SECONDS: '30',
      LOCKOUT_MAX_SECONDS: '100',
    });
    const user = await createUserWithPassword(deps, { email: 'count@example.com' });
    expect(await attempt(deps, user.email, PASSWORD)).toBe('ok');
    for (let i = 0; i < 3; i++) await attempt(deps, user.email, 'wrong password!');
    // Locked: refused attempts are failures, not new locks.
    expect(await attempt(deps, user.email, 'wrong password!')).toMatchObject({
      code: 'too_many_attempts',
    });
    expect(await last24h(deps)).toMatchObject({ sign_ins: 1, failed_sign_ins: 4, lockouts: 1 });
    // The lock ends; the next wrong password begins a second (longer) lock.
    deps.clock.advance(31);
    await attempt(deps, user.email, 'wrong password!');
    expect(await last24h(deps)).toMatchObject({ failed_sign_ins: 5, lockouts: 2 });
  });

  it('counts an MFA challenge for a right first step, and the sign-in once the factor is verified', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    const { secret } = await confirmedTotp(deps, user);
    const required = await signInWithPassword(deps, {
      login: user.email,
      password: PASSWORD,
    }).catch((error: unknown) => error);
    expect(required).toBeInstanceOf(MfaRequiredError);
    expect(await last24h(deps)).toMatchObject({
      mfa_challenges: 1,
      sign_ins: 0,
      failed_sign_ins: 0,
    });
    deps.clock.advance(30);
    await finishMfaSignIn(
      deps,
      {
        mfaToken: (required as MfaRequiredError).mfaToken,
        code: totpCodeAt(secret, deps.clock.now()),
      },
      { endpoint: 'auth' },
      noRequest,
    );
    expect(await last24h(deps)).toMatchObject({ mfa_challenges: 1, sign_ins: 1 });
  });

  it('counts each user created (an admin, sign-up and import all go through createUser)', async () => {
    const deps = testDeps();
    for (const email of ['a@example.com', 'b@example.com']) {
      await createUser(
        deps,
        { kind: 'operator', name: 'test' },
        { email, role: 'viewer' },
        noRequest,
      );
    }
    expect(await last24h(deps)).toMatchObject({ new_users: 2 });
  });

  it('never fails the request when a count cannot be written', async () => {
    const deps = testDeps();
    const lost: unknown[] = [];
    deps.onActivityFailure = (error) => lost.push(error);
    deps.store.addActivity = async () => {
      throw new Error('counter table down');
    };
    const user = await createUserWithPassword(deps);
    expect(await attempt(deps, user.email, PASSWORD)).toBe('ok');
    expect(lost).toHaveLength(1);
  });
});
