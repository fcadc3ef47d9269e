import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import {
  assertMfaCode,
  clearFactors,
  confirmTotp,
  enrolTotp,
  listFactors,
  regenerateRecoveryCodes,
  removeFactor,
  userMfaSummary,
  verifyMfaCode,
} from '../../../../src/core/mfa';
import { toPublicUser } from '../../../../src/core/users/users';
import { testDeps } from '../../../support/core-deps';
import { confirmedTotp, passwordMfaToken } from '../../../support/mfa-fixtures';
import { totpCodeAt } from '../../../support/totp-codes';
import { createUserWithPassword } from '../../../support/users';

const code = (name: string) => expect.objectContaining({ code: name });

const setup = async (env: Record<string, string> = {}) => {
  const deps = testDeps(env);
  const user = await createUserWithPassword(deps);
  return { deps, user };
};

describe('TOTP enrolment', () => {
  it('keeps an unconfirmed factor unlisted and inert, and confirms it once with its code', async () => {
    const { deps, user } = await setup();
    const enrolled = await enrolTotp(deps, user);
    expect(enrolled.otpauth_uri).toContain(`secret=${enrolled.secret}`);
    expect(await listFactors(deps, user.id)).toEqual({ factors: [] });
    expect(await userMfaSummary(deps, user.id)).toEqual({ enrolled: false, types: [] });
    // Inert: its code does not pass a sign-in challenge.
    const now = deps.clock.now();
    await expect(
      verifyMfaCode(
        deps,
        { mfaToken: await passwordMfaToken(deps, user), code: totpCodeAt(enrolled.secret, now) },
        noRequest,
      ),
    ).rejects.toEqual(code('invalid_credentials'));

    await expect(confirmTotp(deps, user, enrolled.factor_id, '000000', noRequest)).rejects.toEqual(
      code('record_invalid'),
    );
    const confirmed = await confirmTotp(
      deps,
      user,
      enrolled.factor_id,
      totpCodeAt(enrolled.secret, now),
      noRequest,
    );
    expect(confirmed.factor).toMatchObject({ factor_id: enrolled.factor_id, type: 'totp' });
    expect(confirmed.recovery_codes).toHaveLength(10);
    await expect(
      confirmTotp(deps, user, enrolled.factor_id, totpCodeAt(enrolled.secret, now), noRequest),
    ).rejects.toEqual(code('not_found'));
    expect((await listFactors(deps, user.id)).factors).toHaveLength(1);
    expect(await userMfaSummary(deps, user.id)).toEqual({ enrolled: true, types: ['totp'] });
    expect(toPublicUser(user, await userMfaSummary(deps, user.id)).mfa).toEqual({
      enrolled: true,
      types: ['totp'],
    });
    const second = await confirmedTotp(deps, user);
    expect(second.codes).toBeUndefined();
  });

  it("lets an enrolment expire after 10 minutes, and never confirms another user's", async () => {
    const { deps, user } = await setup();
    const other = await createUserWithPassword(deps, { email: 'other@example.com' });
    const enrolled = await enrolTotp(deps, user);
    await expect(
      confirmTotp(
        deps,
        other,
        enrolled.factor_id,
        totpCodeAt(enrolled.secret, deps.clock.now()),
        noRequest,
      ),
    ).rejects.toEqual(code('not_found'));
    deps.clock.advance(600);
    await expect(
      confirmTotp(
        deps,
        user,
        enrolled.factor_id,
        totpCodeAt(enrolled.secret, deps.clock.now()),
        noRequest,
      ),
    ).rejects.toEqual(code('not_found'));
  });

  it('confirms one enrolment exactly once under concurrent confirmations', async () => {
    const { deps, user } = await setup();
    const enrolled = await enrolTotp(deps, user);
    const right = totpCodeAt(enrolled.secret, deps.clock.now());
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map(() => confirmTotp(deps, user, enrolled.factor_id, right, noRequest)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((await listFactors(deps, user.id)).factors).toHaveLength(1);
  });
});

describe('sign-in challenge', () => {
  it('accepts a code once per step, and the mfa_token once', async () => {
    const { deps, user } = await setup();
    const factor = await confirmedTotp(deps, user);
    deps.clock.advance(30);
    const now = deps.clock.now();
    const token = await passwordMfaToken(deps, user);
    const verified = await verifyMfaCode(
      deps,
      { mfaToken: token, code: totpCodeAt(factor.secret, now) },
      noRequest,
    );
    expect(verified.token.userId).toBe(user.id);
    expect(verified.amr.sort()).toEqual(['mfa', 'otp', 'pwd']);
    // The token is spent; the same step is spent (a replay with a fresh token), and so is T-1.
    await expect(
      verifyMfaCode(
        deps,
        { mfaToken: token, code: totpCodeAt(factor.secret, now + 30_000) },
        noRequest,
      ),
    ).rejects.toEqual(code('token_invalid'));
    const fresh = await passwordMfaToken(deps, user);
    for (const at of [now, now - 30_000])
      await expect(
        verifyMfaCode(deps, { mfaToken: fresh, code: totpCodeAt(factor.secret, at) }, noRequest),
      ).rejects.toEqual(code('invalid_credentials'));
    await verifyMfaCode(
      deps,
      { mfaToken: fresh, code: totpCodeAt(factor.secret, now + 30_000) },
      noRequest,
    );
    const events = (await deps.store.listAuditEvents({ limit: 50, action: 'mfa.challenge' })).items;
    // Every attempt on a real token: the spent token's, two refused codes, two right ones.
    expect(events.map((e) => e.detail.reason ?? e.outcome).sort()).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'success',
      'success',
      'token_invalid',
    ]);
    expect(events.every((e) => e.actor_id === user.id && e.target_id === user.id)).toBe(true);
    for (const secret of [token, fresh, factor.secret])
      expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('lets exactly one of two concurrent verifies of one code through', async () => {
    const { deps, user } = await setup();
    const factor = await confirmedTotp(deps, user);
    deps.clock.advance(30);
    const right = totpCodeAt(factor.secret, deps.clock.now());
    const tokens = [await passwordMfaToken(deps, user), await passwordMfaToken(deps, user)];
    const outcomes = await Promise.allSettled(
      tokens.map((mfaToken) => verifyMfaCode(deps, { mfaToken, code: right }, noRequest)),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses an mfa_token after 300 s', async () => {
    const { deps, user } = await setup();
    const factor = await confirmedTotp(deps, user);
    const token = await passwordMfaToken(deps, user);
    deps.clock.advance(300);
    await expect(
      verifyMfaCode(
        deps,
        { mfaToken: token, code: totpCodeAt(factor.secret, deps.clock.now()) },
        noRequest,
      ),
    ).rejects.toEqual(code('token_invalid'));
  });

  it('counts wrong codes toward the lockout, and the lock kills the mfa_token', async () => {
    const { deps, user } = await setup({
      LOCKOUT_THRESHOLD: '3',
      LOCKOUT_BASE_SECONDS: '30',
      LOCKOUT_MAX_SECONDS: '900',
    });
    const factor = await confirmedTotp(deps, user);
    deps.clock.advance(30);
    const token = await passwordMfaToken(deps, user);
    const wrong = '000000';
    for (let i = 0; i < 3; i++)
      await expect(
        verifyMfaCode(deps, { mfaToken: token, code: wrong }, noRequest),
      ).rejects.toEqual(code('invalid_credentials'));
    const right = () => totpCodeAt(factor.secret, deps.clock.now());
    await expect(
      verifyMfaCode(deps, { mfaToken: token, code: right() }, noRequest),
    ).rejects.toEqual(code('too_many_attempts'));
    deps.clock.advance(31);
    await expect(
      verifyMfaCode(deps, { mfaToken: token, code: right() }, noRequest),
    ).rejects.toEqual(code('token_invalid'));
  });

  it('lets the right code through after wrong ones below the threshold', async () => {
    const { deps, user } = await setup({ LOCKOUT_THRESHOLD: '3' });
    const factor = await confirmedTotp(deps, user);
    deps.clock.advance(30);
    const token = await passwordMfaToken(deps, user);
    for (let i = 0; i < 2; i++)
      await expect(
        verifyMfaCode(deps, { mfaToken: token, code: 'zzzzz-zzzzz' }, noRequest),
      ).rejects.toEqual(code('invalid_credentials'));
    await verifyMfaCode(
      deps,
      { mfaToken: token, code: totpCodeAt(factor.secret, deps.clock.now()) },
      noRequest,
    );
  });
});

describe('recovery codes and factor removal', () => {
  it('takes each recovery code once; a new set kills the old; the last factor takes them all', async () => {
    const { deps, user } = await setup();
    const factor = await confirmedTotp(deps, user);
    const [first, second, third] = factor.codes as string[];
    await verifyMfaCode(
      deps,
      { mfaToken: await passwordMfaToken(deps, user), code: first as string },
      noRequest,
    );
    await expect(
      verifyMfaCode(
        deps,
        { mfaToken: await passwordMfaToken(deps, user), code: first as string },
        noRequest,
      ),
    ).rejects.toEqual(code('invalid_credentials'));
    const renewed = await regenerateRecoveryCodes(deps, user.id, noRequest);
    await expect(assertMfaCode(deps, user.id, second as string, noRequest)).rejects.toEqual(
      code('forbidden'),
    );
    await assertMfaCode(deps, user.id, renewed.recovery_codes[0] as string, noRequest);
    await removeFactor(deps, user.id, factor.factorId, noRequest);
    expect(await userMfaSummary(deps, user.id)).toEqual({ enrolled: false, types: [] });
    await expect(
      assertMfaCode(deps, user.id, renewed.recovery_codes[1] as string, noRequest),
    ).rejects.toEqual(code('forbidden'));
    await expect(regenerateRecoveryCodes(deps, user.id, noRequest)).rejects.toEqual(
      code('conflict'),
    );
    expect(third).toBeDefined();
  });

  it('clears every factor and code of a user (admin reset), audited', async () => {
    const { deps, user } = await setup();
    const first = await confirmedTotp(deps, user);
    await confirmedTotp(deps, user);
    expect(await clearFactors(deps, 'admin-id', user.id, noRequest)).toBe(2);
    expect(await listFactors(deps, user.id)).toEqual({ factors: [] });
    await expect(
      assertMfaCode(deps, user.id, (first.codes as string[])[0] as string, noRequest),
    ).rejects.toEqual(code('forbidden'));
    const events = (await deps.store.listAuditEvents({ limit: 10, action: 'mfa.reset' })).items;
    expect(events).toMatchObject([
      { actor_id: 'admin-id', target_id: user.id, detail: { factors: 2 } },
    ]);
  });

  it('never verifies a removed factor', async () => {
    const { deps, user } = await setup();
    const keep = await confirmedTotp(deps, user);
    const gone = await confirmedTotp(deps, user);
    await removeFactor(deps, user.id, gone.factorId, noRequest);
    deps.clock.advance(30);
    await expect(
      assertMfaCode(deps, user.id, totpCodeAt(gone.secret, deps.clock.now()), noRequest),
    ).rejects.toEqual(code('forbidden'));
    await assertMfaCode(deps, user.id, totpCodeAt(keep.secret, deps.clock.now()), noRequest);
    await expect(removeFactor(deps, user.id, gone.factorId, noRequest)).rejects.toEqual(
      code('not_found'),
    );
  });
});
