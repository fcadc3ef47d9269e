import { describe, expect, it } from 'vitest';
import { activityDashboard } from '../../../../src/core/activity/dashboard';
import type { ActivityCounts } from '../../../../src/core/activity/metrics';
import { noRequest } from '../../../../src/core/audit/audit';
import { MfaRequiredError } from '../../../../src/core/mfa/second-factor-gate';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../../../src/core/oauth/authorization-codes';
import { issueClientToken } from '../../../../src/core/oauth/client-credentials';
import { finishMfaSignIn } from '../../../../src/core/sessions/mfa-sign-in';
import { rotateRefreshToken } from '../../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { createUser } from '../../../../src/core/users/user-management';
import { testDeps } from '../../../support/core-deps';
import { confirmedTotp } from '../../../support/mfa-fixtures';
import { pkcePair, storedClient } from '../../../support/oauth-fixtures';
import { totpCodeAt } from '../../../support/totp-codes';
import { aUser, createUserWithPassword, PASSWORD } from '../../../support/users';

const last24h = async (deps: ReturnType<typeof testDeps>) =>
  (await activityDashboard(deps)).last24h;
/** Counts are started, never awaited by the request: read until they land (or 1 s). */
const counted = (deps: ReturnType<typeof testDeps>, expected: Partial<ActivityCounts>) =>
  expect.poll(() => last24h(deps), { timeout: 1000, interval: 5 }).toMatchObject(expected);
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
    await counted(deps, { sign_ins: 1, failed_sign_ins: 4, lockouts: 1 });
    // The lock ends; the next wrong password begins a second (longer) lock.
    deps.clock.advance(31);
    await attempt(deps, user.email, 'wrong password!');
    await counted(deps, { failed_sign_ins: 5, lockouts: 2 });
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
    await counted(deps, {
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
    await counted(deps, { mfa_challenges: 1, sign_ins: 1 });
  });

  it('counts a lock begun by wrong MFA codes once, as a lockout and no failed sign-in', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE_SECONDS: '30' });
    const user = await createUserWithPassword(deps);
    await confirmedTotp(deps, user);
    const required = (await signInWithPassword(deps, {
      login: user.email,
      password: PASSWORD,
    }).catch((error: unknown) => error)) as MfaRequiredError;
    expect(required).toBeInstanceOf(MfaRequiredError);
    const wrongCode = () =>
      finishMfaSignIn(
        deps,
        { mfaToken: required.mfaToken, code: '000000' },
        { endpoint: 'auth' },
        noRequest,
      ).catch((error: { code: string }) => error.code);
    // The right password's attempt counted too (cleared only by a completed sign-in): 1 + 2 = 3.
    for (let i = 0; i < 2; i++) expect(await wrongCode()).toBe('invalid_credentials');
    expect(await wrongCode()).toBe('too_many_attempts'); // refused while locked: no new lock
    await counted(deps, { lockouts: 1, failed_sign_ins: 0, mfa_challenges: 1, sign_ins: 0 });
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
    await counted(deps, { new_users: 2 });
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
    await expect.poll(() => lost.length, { timeout: 1000, interval: 5 }).toBe(1);
  });

  it('never makes a request wait on a slow counter write', async () => {
    const deps = testDeps();
    const add = deps.store.addActivity.bind(deps.store);
    deps.store.addActivity = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return add(...args);
    };
    const user = await createUserWithPassword(deps);
    const started = performance.now();
    expect(await attempt(deps, user.email, 'wrong password!')).toMatchObject({
      code: 'invalid_credentials',
    });
    expect(await attempt(deps, user.email, PASSWORD)).toBe('ok');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('counts an OAuth code flow as one sign-in; a refresh and client_credentials as none', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    expect(await attempt(deps, user.email, PASSWORD)).toBe('ok'); // the hosted page's sign-in
    await counted(deps, { sign_ins: 1 });
    const client = await storedClient(deps);
    const pkce = pkcePair();
    const code = await issueAuthorizationCode(deps, {
      clientId: client.clientId,
      redirectUri: 'https://app.example.com/callback',
      codeChallenge: pkce.challenge,
      userId: user.id,
      scope: ['profile'],
      authTime: deps.clock.now(), // the approving session's sign-in, same instant
    });
    const tokens = await exchangeAuthorizationCode(deps, {
      code,
      clientId: client.clientId,
      redirectUri: 'https://app.example.com/callback',
      codeVerifier: pkce.verifier,
    });
    await rotateRefreshToken(deps, tokens.refresh_token as string, { endpoint: 'oauth', client });
    const service = aUser({ role: 'editor', type: 'machine' });
    await deps.store.createUser(service);
    const machine = await storedClient(deps, {
      confidential: true,
      grantTypes: ['client_credentials'],
      serviceUserId: service.id,
    });
    await issueClientToken(deps, machine, undefined, noRequest);
    // Let any count started above land before reading the total.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await last24h(deps)).toMatchObject({ sign_ins: 1 });
  });
});
