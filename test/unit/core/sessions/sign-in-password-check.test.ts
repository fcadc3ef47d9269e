import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createBcryptHasher } from '../../../../src/core/sessions/password-hasher';
import { startPasswordCheck } from '../../../../src/core/sessions/sign-in-password-check';
import type { UserRecord } from '../../../../src/core/users/users';

const hasher = createBcryptHasher(4);
const RIGHT = 'the right password';
const OLD = 'an old password';
let current: string;
let old: string;

beforeAll(async () => {
  [current, old] = await Promise.all([hasher.hash(RIGHT), hasher.hash(OLD)]);
});

const userWith = (passwordHash: string | null) => ({ id: 'u1', passwordHash }) as UserRecord;

/** Runs one check and counts the bcrypt calls it made. */
const check = async (
  password: string,
  hint: string | null | undefined,
  user: UserRecord | null,
  entry = true,
) => {
  const verify = vi.spyOn(hasher, 'verify');
  const dummy = vi.spyOn(hasher, 'verifyDummy');
  const started = startPasswordCheck(
    hasher,
    password,
    entry ? { userId: 'u1', ...(hint === undefined ? {} : { passwordHashHint: hint }) } : null,
  );
  const ok = await started.against(user);
  const bcrypts = verify.mock.calls.length + dummy.mock.calls.length;
  vi.restoreAllMocks();
  return { ok, bcrypts };
};

describe('the password check begun on the login hint', () => {
  it('accepts the right password against a current hint with one bcrypt', async () => {
    expect(await check(RIGHT, current, userWith(current))).toEqual({ ok: true, bcrypts: 1 });
    expect(await check(OLD, current, userWith(current))).toEqual({ ok: false, bcrypts: 1 });
  });

  it('never trusts a stale hint: the old password is refused, the new one checked again', async () => {
    expect(await check(OLD, old, userWith(current))).toEqual({ ok: false, bcrypts: 2 });
    expect(await check(RIGHT, old, userWith(current))).toEqual({ ok: true, bcrypts: 2 });
  });

  it('refuses a hint when the user item has no password or is gone, after one bcrypt', async () => {
    expect(await check(RIGHT, current, userWith(null))).toEqual({ ok: false, bcrypts: 1 });
    expect(await check(RIGHT, current, null)).toEqual({ ok: false, bcrypts: 1 });
  });

  it('costs one bcrypt for an unknown login, no password and an item from before hints', async () => {
    expect(await check(RIGHT, undefined, null, false)).toEqual({ ok: false, bcrypts: 1 });
    expect(await check(RIGHT, null, userWith(null))).toEqual({ ok: false, bcrypts: 1 });
    expect(await check(RIGHT, undefined, userWith(null))).toEqual({ ok: false, bcrypts: 1 });
  });

  it('starts the dummy bcrypt for an item from before hints at once, the real one only when asked', async () => {
    const dummy = vi.spyOn(hasher, 'verifyDummy');
    const verify = vi.spyOn(hasher, 'verify');
    const started = startPasswordCheck(hasher, RIGHT, { userId: 'u1' });
    // Begun before the user item is read, as for an unknown login (a lock answer waits on it).
    expect({ dummy: dummy.mock.calls.length, verify: verify.mock.calls.length }).toEqual({
      dummy: 1,
      verify: 0,
    });
    await started.settled;
    expect(await started.against(userWith(current))).toBe(true);
    expect(verify.mock.calls.length).toBe(1);
    vi.restoreAllMocks();
    expect(await check(OLD, undefined, userWith(current))).toEqual({ ok: false, bcrypts: 2 });
  });
});
