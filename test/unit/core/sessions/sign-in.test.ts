import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { accountLockoutKey, lockSeconds, lockSteps } from '../../../../src/core/sessions/lockout';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { testDeps } from '../../../support/core-deps';
import { createUserWithPassword, PASSWORD } from '../../../support/users';

const failWith = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return null;
  } catch (error) {
    return error as { code: string; message: string; retryAfterSeconds?: number };
  }
};

describe('sign-in', () => {
  it('signs in by email (any case, spaces, NFC) or username and returns the contract shape', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { email: 'Zoe@Example.com', username: 'zoe' });
    for (const login of ['zoe@example.com', '  ZOE@EXAMPLE.COM ', 'Zoe']) {
      const result = await signInWithPassword(deps, { login, password: PASSWORD });
      expect(result).toMatchObject({
        token_type: 'Bearer',
        expires_in: 900,
        user: { id: user.id },
      });
      expect(result.refresh_token).toMatch(/^srt_[A-Za-z0-9_-]{43}$/);
      expect(result.user).not.toHaveProperty('passwordHash');
    }
    expect((await deps.store.getUser(user.id))?.lastSignInAt).toBe(deps.clock.now());
  });

  it('answers an unknown login exactly like a wrong password, and spends a hash on it', async () => {
    const deps = testDeps();
    await createUserWithPassword(deps, { email: 'known@example.com' });
    const dummy = vi.spyOn(deps.hasher, 'verifyDummy');
    const unknown = await failWith(
      signInWithPassword(deps, { login: 'nobody@example.com', password: PASSWORD }),
    );
    const wrong = await failWith(
      signInWithPassword(deps, { login: 'known@example.com', password: 'wrong password!' }),
    );
    expect(unknown).toEqual(wrong);
    expect(unknown).toMatchObject({ code: 'invalid_credentials' });
    expect(dummy).toHaveBeenCalledTimes(1);
  });

  it('locks a login after the threshold, growing and capped, even the right password', async () => {
    const deps = testDeps({
      LOCKOUT_THRESHOLD: '3',
      LOCKOUT_BASE_SECONDS: '30',
      LOCKOUT_MAX_SECONDS: '100',
    });
    await createUserWithPassword(deps, { email: 'lock@example.com' });
    const attempt = (password: string) =>
      failWith(signInWithPassword(deps, { login: 'lock@example.com', password }));
    for (let i = 0; i < 3; i++)
      expect(await attempt('wrong password!')).toMatchObject({ code: 'invalid_credentials' });
    const locked = await attempt(PASSWORD);
    expect(locked).toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: 30 });
    deps.clock.advance(31);
    expect(await attempt('wrong password!')).toMatchObject({ code: 'invalid_credentials' });
    expect(await attempt(PASSWORD)).toMatchObject({
      code: 'too_many_attempts',
      retryAfterSeconds: 60,
    });
    deps.clock.advance(61);
    await attempt('wrong password!');
    expect(await attempt(PASSWORD)).toMatchObject({ retryAfterSeconds: 100 });
    deps.clock.advance(101);
    expect(await attempt(PASSWORD)).toBeNull();
    // Success clears the count.
    expect(await attempt('wrong password!')).toMatchObject({ code: 'invalid_credentials' });
    expect(await attempt(PASSWORD)).toBeNull();
  });

  it('counts the email and the username of one account on one counter', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '3' });
    await createUserWithPassword(deps, { email: 'one@example.com', username: 'one' });
    for (const login of ['one@example.com', 'one', ' ONE@example.com'])
      await failWith(signInWithPassword(deps, { login, password: 'wrong password!' }));
    expect(
      await failWith(signInWithPassword(deps, { login: 'one', password: PASSWORD })),
    ).toMatchObject({ code: 'too_many_attempts' });
  });

  it('gives a password verdict to only the threshold of 50 parallel guesses, one bcrypt each', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '5' });
    await createUserWithPassword(deps, { email: 'par@example.com' });
    const verify = vi.spyOn(deps.hasher, 'verify');
    const dummy = vi.spyOn(deps.hasher, 'verifyDummy');
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        failWith(signInWithPassword(deps, { login: 'par@example.com', password: 'wrong!' })),
      ),
    );
    expect(outcomes.filter((o) => o?.code === 'invalid_credentials')).toHaveLength(5);
    expect(outcomes.filter((o) => o?.code === 'too_many_attempts')).toHaveLength(45);
    // bcrypt starts on the login item's hint beside the counted attempt: at most one per
    // guess, never two, and a locked guess's verdict is thrown away (sign-in-password-check.ts);
    // guesses begun after this instance saw the lock start none (lock-sightings.ts).
    const burst = verify.mock.calls.length;
    expect(burst).toBeGreaterThanOrEqual(5);
    expect(burst).toBeLessThanOrEqual(50);
    expect(dummy).not.toHaveBeenCalled();
    expect(
      await failWith(signInWithPassword(deps, { login: 'par@example.com', password: PASSWORD })),
    ).toMatchObject({ code: 'too_many_attempts' });
    expect(verify).toHaveBeenCalledTimes(burst);
  });

  it('spends no bcrypt on a key this instance saw locked, and a cleared lock still gets its verdict', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '3' });
    const user = await createUserWithPassword(deps, { email: 'hammer@example.com' });
    const guess = (password: string) =>
      failWith(signInWithPassword(deps, { login: 'hammer@example.com', password }));
    for (let i = 0; i < 3; i++) await guess('wrong!');
    const verify = vi.spyOn(deps.hasher, 'verify');
    const dummy = vi.spyOn(deps.hasher, 'verifyDummy');
    // The first locked answer is seen; the next ones cost only the refused attempt.
    for (let i = 0; i < 5; i++)
      expect(await guess('wrong!')).toMatchObject({ code: 'too_many_attempts' });
    expect(verify.mock.calls.length + dummy.mock.calls.length).toBe(1);
    // A reset clears the lock in the store: the sighting only moves the bcrypt after the read.
    await deps.store.clearLoginFailures(accountLockoutKey(user.id));
    const tokens = await signInWithPassword(deps, {
      login: 'hammer@example.com',
      password: PASSWORD,
    });
    expect(tokens.access_token).toBeTruthy();
    expect(await guess('wrong!')).toMatchObject({ code: 'invalid_credentials' });
  });

  it('does the same store work for a login naming nobody as for a wrong password', async () => {
    const deps = testDeps();
    await createUserWithPassword(deps, { email: 'known@example.com' });
    const calls: string[] = [];
    for (const name of Object.keys(deps.store) as (keyof typeof deps.store)[]) {
      const original = deps.store[name] as (...args: unknown[]) => unknown;
      (deps.store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        calls.push(name);
        return original(...args);
      };
    }
    await failWith(signInWithPassword(deps, { login: 'nobody@example.com', password: 'x' }));
    const unknown = calls.splice(0);
    await failWith(signInWithPassword(deps, { login: 'known@example.com', password: 'x' }));
    expect(calls).toEqual(unknown);
  });

  it('locks unknown logins too', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '2' });
    const attempt = () =>
      failWith(signInWithPassword(deps, { login: 'ghost@example.com', password: PASSWORD }));
    await attempt();
    await attempt();
    expect(await attempt()).toMatchObject({ code: 'too_many_attempts' });
  });

  it('forgets old failures after a quiet spell', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '3', LOCKOUT_MAX_SECONDS: '100' });
    await createUserWithPassword(deps, { email: 'q@example.com' });
    const attempt = (password: string) =>
      failWith(signInWithPassword(deps, { login: 'q@example.com', password }));
    await attempt('wrong password!');
    await attempt('wrong password!');
    deps.clock.advance(101);
    await attempt('wrong password!');
    expect(await attempt(PASSWORD)).toBeNull();
  });

  it('refuses pending, unverified and disabled users only after the right password', async () => {
    const deps = testDeps();
    for (const [status, expected] of [
      ['pending', 'account_pending'],
      ['unverified', 'account_pending'],
      ['disabled', 'account_disabled'],
    ] as const) {
      const user = await createUserWithPassword(deps, { status });
      expect(
        await failWith(signInWithPassword(deps, { login: user.email, password: PASSWORD })),
      ).toMatchObject({
        code: expected,
      });
      expect(
        await failWith(
          signInWithPassword(deps, { login: user.email, password: 'wrong password!' }),
        ),
      ).toMatchObject({
        code: 'invalid_credentials',
      });
    }
  });

  it('refuses password sign-in when it is turned off', async () => {
    const deps = testDeps({ PASSWORD_LOGIN_ENABLED: '0' });
    const user = await createUserWithPassword(deps);
    expect(
      await failWith(signInWithPassword(deps, { login: user.email, password: PASSWORD })),
    ).toMatchObject({
      code: 'password_login_disabled',
    });
  });

  it('rehashes a password stored at a lower cost', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    const before = (await deps.store.getUser(user.id))?.passwordHash;
    vi.spyOn(deps.hasher, 'needsRehash').mockReturnValue(true);
    await signInWithPassword(deps, { login: user.email, password: PASSWORD });
    const after = (await deps.store.getUser(user.id))?.passwordHash as string;
    expect(after).not.toBe(before);
    expect(await deps.hasher.verify(PASSWORD, after)).toBe(true);
  });
});

describe('lock length', () => {
  it('doubles past the threshold and stops at the cap', () => {
    const policy = { threshold: 5, baseSeconds: 30, maxSeconds: 900 };
    expect([4, 5, 6, 7, 8, 9, 10, 20].map((n) => lockSeconds(n, policy))).toEqual([
      0, 30, 60, 120, 240, 480, 900, 900,
    ]);
  });

  it('is spelled out step by step (as DynamoDB conditions use it) without a gap or a change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 1, max: 86_400 }),
        fc.nat({ max: 200 }),
        (threshold, base, max, failures) => {
          const policy = { threshold, baseSeconds: Math.min(base, max), maxSeconds: max };
          const steps = lockSteps(policy);
          expect(steps.length).toBeLessThanOrEqual(20);
          const step = steps.filter(
            (s) => failures >= s.from && (s.to === null || failures <= s.to),
          );
          expect(step).toHaveLength(1);
          expect(step[0]?.seconds).toBe(lockSeconds(failures, policy));
        },
      ),
    );
  });
});
