import { describe, expect, it, vi } from 'vitest';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { testDeps } from '../../../support/core-deps';
import { createUserWithPassword } from '../../../support/users';

const failWith = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return null;
  } catch (error) {
    return error as { code: string };
  }
};

/**
 * A login item written before hints (DynamoDB: no `passwordHashHint` attribute) is what every
 * dormant account has after the deploy: findLogin answers `{ userId }` alone. Simulated here on
 * the memory store by dropping the hint, exactly as dynamo-users.ts findLogin does.
 */
const withUnhinted = (deps: ReturnType<typeof testDeps>, login: string) => {
  const original = deps.store.findLogin.bind(deps.store);
  deps.store.findLogin = async (named) => {
    const entry = await original(named);
    return entry && named.key === login ? { userId: entry.userId } : entry;
  };
};

const bcryptsDuring = async (deps: ReturnType<typeof testDeps>, run: () => Promise<unknown>) => {
  const verify = vi.spyOn(deps.hasher, 'verify');
  const dummy = vi.spyOn(deps.hasher, 'verifyDummy');
  verify.mockClear();
  dummy.mockClear();
  await run();
  const count = verify.mock.calls.length + dummy.mock.calls.length;
  verify.mockRestore();
  dummy.mockRestore();
  return count;
};

describe('sign-in on a login item from before hints (red team 17)', () => {
  it('a locked-out attempt costs the same bcrypt for an unknown login and a pre-hint account', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '3' });
    await createUserWithPassword(deps, { email: 'legacy@example.com' });
    withUnhinted(deps, 'legacy@example.com');
    const lockThenProbe = async (login: string) => {
      for (let i = 0; i < 3; i++)
        expect(
          await failWith(signInWithPassword(deps, { login, password: 'wrong password!' })),
        ).toMatchObject({ code: 'invalid_credentials' });
      let answer: { code: string } | null = null;
      const bcrypts = await bcryptsDuring(deps, async () => {
        answer = await failWith(signInWithPassword(deps, { login, password: 'wrong password!' }));
      });
      expect(answer).toMatchObject({ code: 'too_many_attempts' });
      return bcrypts;
    };
    const unknown = await lockThenProbe('ghost@example.com');
    const legacy = await lockThenProbe('legacy@example.com');
    // Both start verifyDummy once and wait on it: a 429 sooner would name a dormant account.
    expect({ unknown, legacy }).toEqual({ unknown: 1, legacy: 1 });
  });

  it('a locked-out attempt on a pre-hint account answers only after its bcrypt, as an unknown login', async () => {
    const deps = testDeps({ LOCKOUT_THRESHOLD: '3' });
    await createUserWithPassword(deps, { email: 'legacy2@example.com' });
    withUnhinted(deps, 'legacy2@example.com');
    // A bcrypt that ends only when the test lets it: the answer must wait for it.
    let release: () => void = () => {};
    let held = false;
    const bcrypt = () =>
      held
        ? new Promise<false>((r) => (release = () => r(false)))
        : Promise.resolve(false as const);
    deps.hasher.verify = bcrypt;
    deps.hasher.verifyDummy = bcrypt;
    const answeredBeforeBcrypt = async (login: string) => {
      held = false;
      for (let i = 0; i < 3; i++)
        await failWith(signInWithPassword(deps, { login, password: 'wrong password!' }));
      held = true;
      let answered = false;
      const probe = failWith(signInWithPassword(deps, { login, password: 'wrong password!' })).then(
        (error) => {
          answered = true;
          return error;
        },
      );
      await new Promise((r) => setTimeout(r, 50));
      const early = answered;
      release();
      expect(await probe).toMatchObject({ code: 'too_many_attempts' });
      return early;
    };
    expect({
      unknown: await answeredBeforeBcrypt('ghost2@example.com'),
      legacy: await answeredBeforeBcrypt('legacy2@example.com'),
    }).toEqual({ unknown: false, legacy: false });
  });
});
