import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { totpCodeAt } from '../support/totp-codes';

/**
 * Red team 18 (issue 15, MFA): a right password in a step-up body clears the account's failure
 * count (assertCurrentPassword -> clearLoginFailures) BEFORE the code beside it is checked, and
 * even when the step-up is then refused for want of a factor (invariant A). So whoever holds
 * the password and any live session of the user (a thief's from before the enrolment, which
 * invariant A already assumes) guesses TOTP or recovery codes without ever meeting the lockout:
 * each guess is sent with the password, or the count is cleared between /auth/mfa/verify guesses.
 * These tests state the secure behaviour and FAIL on main.
 */
const OWNER = { email: 'owner@rt18.test', password: 'rt18 owner passphrase' };
const PASSWORD = 'a member passphrase 5678';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  REVOCATION_CACHE_SECONDS: '0',
  REAUTH_MAX_AGE_SECONDS: '1',
  LOCKOUT_THRESHOLD: '3',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A viewer whose password a thief holds, with the thief's session from before the enrolment. */
const victimWithThiefSession = async () => {
  const email = `v-${randomUUID().slice(0, 8)}@rt18.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role: 'viewer', password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  const thief = await signIn(email, PASSWORD);
  const own = await signIn(email, PASSWORD);
  const started = await call('POST', '/me/mfa/totp', { token: own, json: { password: PASSWORD } });
  expect(started.status, started.text).toBe(201);
  const { factor_id: factorId, secret } = started.body as { factor_id: string; secret: string };
  const confirmed = await call('POST', `/me/mfa/totp/${factorId}/confirm`, {
    token: own,
    json: { code: totpCodeAt(secret, Date.now()) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  await pause(1100);
  return { email, thief, secret };
};

const nextStepCode = (secret: string) => totpCodeAt(secret, Date.now() + 30_000);

describe('wrong codes meet the lockout even when the right password rides along', () => {
  it('step-up {password, code}: past LOCKOUT_THRESHOLD wrong codes, 429 (main: 403 forever, then 200)', async () => {
    const v = await victimWithThiefSession();
    // Eight wrong recovery codes, each beside the right password (a brute force's loop).
    const statuses: number[] = [];
    for (let guess = 0; guess < 8; guess++) {
      const wrong = await call('POST', '/me/mfa/recovery-codes', {
        token: v.thief,
        json: { password: PASSWORD, code: 'aaaaa-aaaaa' },
      });
      statuses.push(wrong.status);
    }
    // The lock must hold the guesses off after the threshold (3).
    expect(statuses.slice(3)).toEqual([429, 429, 429, 429, 429]);
    // And the right code, after eight wrong ones, must not pass.
    const hit = await call('POST', '/me/mfa/recovery-codes', {
      token: v.thief,
      json: { password: PASSWORD, code: nextStepCode(v.secret) },
    });
    expect(hit.status, hit.text).toBe(429);
  });

  it('/auth/mfa/verify guesses, the count cleared by a refused password step-up: the right code after 7 wrong must not give an mfa session', async () => {
    const v = await victimWithThiefSession();
    const first = await call('POST', '/auth/sign-in', {
      json: { login: v.email, password: PASSWORD },
    });
    expect(first.status, first.text).toBe(403);
    const mfaToken = first.body.mfa_token as string;
    const guess = () =>
      call('POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code: '000000' } });
    const clear = async () => {
      // The thief's old session offers the password: refused (invariant A), yet the count is cleared.
      const refused = await call('POST', '/me/mfa/recovery-codes', {
        token: v.thief,
        json: { password: PASSWORD },
      });
      // main: 403 (refused, but the count was cleared first); fixed: 403 or 429, count kept.
      expect([403, 429], refused.text).toContain(refused.status);
    };
    // The sign-in counted 1; one wrong code makes 2 (below the threshold of 3).
    expect((await guess()).status).toBe(401);
    for (let cycle = 0; cycle < 3; cycle++) {
      await clear();
      // Two wrong codes a cycle: 1, 2, never the threshold.
      for (let i = 0; i < 2; i++) expect([401, 429]).toContain((await guess()).status);
    }
    // Seven wrong codes on one mfa_token (threshold 3); the right one must find it dead or the account locked.
    const hit = await call('POST', '/auth/mfa/verify', {
      json: { mfa_token: mfaToken, code: nextStepCode(v.secret) },
    });
    expect([401, 429], hit.text).toContain(hit.status);
    expect(hit.body.access_token).toBeUndefined();
  });
});
