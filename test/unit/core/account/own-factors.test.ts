import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  changeOwnPassword,
  deleteOwnAccount,
  updateOwnProfile,
} from '../../../../src/core/account/account';
import {
  confirmOwnTotp,
  listOwnFactors,
  removeOwnFactor,
  renewOwnRecoveryCodes,
  startOwnTotp,
} from '../../../../src/core/account/own-factors';
import { noRequest } from '../../../../src/core/audit/audit';
import { assertMfaCode, verifyMfaCode } from '../../../../src/core/mfa';
import { MfaRequiredError } from '../../../../src/core/mfa/second-factor-gate';
import { accountLockoutKey } from '../../../../src/core/sessions/lockout';
import { stepUpProofOf } from '../../../../src/core/sessions/reauthentication';
import { startSession } from '../../../../src/core/sessions/sessions';
import type { UserRecord } from '../../../../src/core/users/users';
import { testDeps } from '../../../support/core-deps';
import { totpCodeAt } from '../../../support/totp-codes';
import { createUserWithPassword, PASSWORD } from '../../../support/users';

const code = (name: string) => expect.objectContaining({ code: name });
const PAST_REAUTH = 301;

const setup = async () => {
  const deps = testDeps({ LOCKOUT_THRESHOLD: '5' });
  const user = await createUserWithPassword(deps);
  const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
  const signedIn = await startSession(deps, user, null, { origin: 'self' });
  const sid = decodeJwt(signedIn.access_token).sid as string;
  const proof = (given: { password?: string; code?: string } = {}) =>
    stepUpProofOf(deps, user.id, sid, given);
  return { deps, user, self, sid, proof };
};

type Setup = Awaited<ReturnType<typeof setup>>;

/** Enrols and confirms a TOTP factor with a recent session's proof. */
const withFactor = async ({ deps, self, sid, proof }: Setup) => {
  const enrolled = await startOwnTotp(deps, self, 'phone', await proof(), noRequest);
  const confirmed = await confirmOwnTotp(
    deps,
    self,
    sid,
    enrolled.factor_id,
    totpCodeAt(enrolled.secret, deps.clock.now()),
    noRequest,
  );
  return {
    factorId: enrolled.factor_id,
    secret: enrolled.secret,
    codes: confirmed.recovery_codes ?? [],
  };
};

const failures = async (deps: Setup['deps'], user: UserRecord) =>
  (await deps.store.getLoginFailures(accountLockoutKey(user.id)))?.failures ?? 0;

describe('step-up proof (one function for every account change)', () => {
  it('takes a recent sign-in alone, and refuses an old one without proof', async () => {
    const s = await setup();
    await expect(
      startOwnTotp(s.deps, s.self, 'a', await s.proof(), noRequest),
    ).resolves.toMatchObject({
      factor_id: expect.any(String),
    });
    s.deps.clock.advance(PAST_REAUTH);
    // No factor: no mfa_token could be finished, so it is forbidden and says what to send.
    await expect(startOwnTotp(s.deps, s.self, 'a', await s.proof(), noRequest)).rejects.toEqual(
      code('forbidden'),
    );
  });

  it('answers mfa_required with an mfa_token for this session when the user has a factor', async () => {
    const s = await setup();
    const factor = await withFactor(s);
    s.deps.clock.advance(PAST_REAUTH);
    const refused = await renewOwnRecoveryCodes(s.deps, s.self, await s.proof(), noRequest).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(MfaRequiredError);
    const { mfaToken, factors } = refused as MfaRequiredError;
    expect(factors).toEqual([{ factor_id: factor.factorId, type: 'totp' }]);
    // The token renews this very session ('reauth'), and only a right code spends it.
    const verified = await verifyMfaCode(
      s.deps,
      { mfaToken, code: totpCodeAt(factor.secret, s.deps.clock.now()) },
      noRequest,
    );
    expect(verified.token.context).toMatchObject({ method: 'reauth', sid: s.sid, clientId: null });
    expect(verified.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
  });

  it('refuses the password and a recent sign-in of a session without mfa once a factor exists', async () => {
    const s = await setup();
    // The thief's session, signed in before the user's factor, knows the password.
    const thiefSid = s.sid;
    const own = await startSession(s.deps, s.user, null, { origin: 'self' });
    const ownSid = decodeJwt(own.access_token).sid as string;
    // The thief starts an enrolment while the user has none; the user then confirms their own.
    const pending = await startOwnTotp(s.deps, s.self, 'thief', await s.proof(), noRequest);
    await withFactor({
      ...s,
      sid: ownSid,
      proof: (given = {}) => stepUpProofOf(s.deps, s.user.id, ownSid, given),
    });
    const password = await s.proof({ password: PASSWORD });
    await expect(startOwnTotp(s.deps, s.self, 'x', password, noRequest)).rejects.toBeInstanceOf(
      MfaRequiredError,
    );
    // Invariant A: the earlier pending factor is not confirmed beside the user's either.
    const late = totpCodeAt(pending.secret, s.deps.clock.now());
    await expect(
      confirmOwnTotp(s.deps, s.self, thiefSid, pending.factor_id, late, noRequest),
    ).rejects.toEqual(code('forbidden'));
    expect((await listOwnFactors(s.deps, s.self)).factors).toHaveLength(1);
    // Invariant B: only the confirming session gained mfa.
    expect((await s.deps.store.getSession(thiefSid))?.amr ?? []).not.toContain('mfa');
    expect((await s.deps.store.getSession(ownSid))?.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('takes the password, and a wrong one is forbidden and counts toward the lockout', async () => {
    const s = await setup();
    s.deps.clock.advance(PAST_REAUTH);
    await expect(
      startOwnTotp(s.deps, s.self, 'a', await s.proof({ password: 'not the password' }), noRequest),
    ).rejects.toEqual(code('forbidden'));
    expect(await failures(s.deps, s.user)).toBe(1);
    await expect(
      startOwnTotp(s.deps, s.self, 'a', await s.proof({ password: PASSWORD }), noRequest),
    ).resolves.toMatchObject({ factor_id: expect.any(String) });
  });

  it('takes a TOTP code once; a replayed or wrong code is forbidden and counted', async () => {
    const s = await setup();
    const factor = await withFactor(s);
    s.deps.clock.advance(PAST_REAUTH);
    const now = totpCodeAt(factor.secret, s.deps.clock.now());
    await renewOwnRecoveryCodes(s.deps, s.self, await s.proof({ code: now }), noRequest);
    await expect(
      renewOwnRecoveryCodes(s.deps, s.self, await s.proof({ code: now }), noRequest),
    ).rejects.toEqual(code('forbidden'));
    expect(await failures(s.deps, s.user)).toBe(1);
  });

  it('takes a recovery code once', async () => {
    const s = await setup();
    const factor = await withFactor(s);
    s.deps.clock.advance(PAST_REAUTH);
    const recovery = factor.codes[0] as string;
    await startOwnTotp(s.deps, s.self, 'b', await s.proof({ code: recovery }), noRequest);
    await expect(
      startOwnTotp(s.deps, s.self, 'b', await s.proof({ code: recovery }), noRequest),
    ).rejects.toEqual(code('forbidden'));
  });

  it('needs every proof given to be right', async () => {
    const s = await setup();
    await withFactor(s);
    await expect(
      renewOwnRecoveryCodes(
        s.deps,
        s.self,
        await s.proof({ password: PASSWORD, code: '000000' }),
        noRequest,
      ),
    ).rejects.toEqual(code('forbidden'));
  });

  it('never counts a client_credentials-like session (auth_time 0) as recent', async () => {
    const s = await setup();
    await expect(startOwnTotp(s.deps, s.self, 'a', { authTime: 0 }, noRequest)).rejects.toEqual(
      code('forbidden'),
    );
    // Nor another user's or a revoked session.
    await s.deps.store.revokeUserSessions(s.user.id, s.deps.clock.now());
    expect((await s.proof()).authTime).toBeNull();
  });

  it('guards PATCH /me {email}, POST /me/password and DELETE /me alike', async () => {
    const s = await setup();
    await withFactor(s);
    s.deps.clock.advance(PAST_REAUTH);
    await expect(
      updateOwnProfile(s.deps, s.self, { email: 'new@example.com' }, noRequest, await s.proof()),
    ).rejects.toBeInstanceOf(MfaRequiredError);
    await expect(
      changeOwnPassword(
        s.deps,
        s.self,
        s.sid,
        { new_password: 'a brand new passphrase' },
        noRequest,
      ),
    ).rejects.toBeInstanceOf(MfaRequiredError);
    await expect(
      deleteOwnAccount(s.deps, s.self, await s.proof(), noRequest),
    ).rejects.toBeInstanceOf(MfaRequiredError);
    expect(await s.deps.store.getUser(s.user.id)).not.toBeNull();
    await deleteOwnAccount(s.deps, s.self, await s.proof({ password: PASSWORD }), noRequest);
    expect(await s.deps.store.getUser(s.user.id)).toBeNull();
    // Its factors went with it (their own partition).
    expect((await s.deps.store.getMfaState(s.user.id)).factors).toEqual([]);
  });

  it('lets a user without password or factor change the password on a recent sign-in alone', async () => {
    const s = await setup();
    const noPassword = { ...s.user, passwordHash: null };
    await s.deps.store.updateUser(s.user, noPassword);
    const self = { ...s.self, user: noPassword };
    await changeOwnPassword(
      s.deps,
      self,
      s.sid,
      { new_password: 'a brand new passphrase' },
      noRequest,
    );
    expect((await s.deps.store.getUser(s.user.id))?.passwordHash).not.toBeNull();
  });
});

describe('own factors', () => {
  it('mails a notice when a factor is added and when one is removed, never a secret', async () => {
    const s = await setup();
    const factor = await withFactor(s);
    await removeOwnFactor(s.deps, s.self, factor.factorId, await s.proof(), noRequest);
    const subjects = s.deps.mail.sent.map((mail) => mail.subject);
    expect(subjects).toEqual([
      'A sign-in factor was added to your account',
      'A sign-in factor was removed from your account',
    ]);
    const mails = JSON.stringify(s.deps.mail.sent);
    expect(s.deps.mail.sent.every((mail) => mail.to === s.user.email)).toBe(true);
    expect(mails).not.toContain(factor.secret);
    for (const recovery of factor.codes) expect(mails).not.toContain(recovery);
    expect(await listOwnFactors(s.deps, s.self)).toEqual({ factors: [] });
  });

  it('renews recovery codes: the old set dies', async () => {
    const s = await setup();
    const factor = await withFactor(s);
    const renewed = await renewOwnRecoveryCodes(s.deps, s.self, await s.proof(), noRequest);
    expect(renewed.recovery_codes).toHaveLength(10);
    await expect(
      assertMfaCode(s.deps, s.user.id, factor.codes[0] as string, noRequest),
    ).rejects.toEqual(code('forbidden'));
    await assertMfaCode(s.deps, s.user.id, renewed.recovery_codes[0] as string, noRequest);
  });

  it('removes nothing on a wrong proof', async () => {
    const s = await setup();
    const factor = await withFactor(s);
    await expect(
      removeOwnFactor(
        s.deps,
        s.self,
        factor.factorId,
        await s.proof({ password: 'nope' }),
        noRequest,
      ),
    ).rejects.toEqual(code('forbidden'));
    expect((await listOwnFactors(s.deps, s.self)).factors).toHaveLength(1);
  });
});
