import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { totpCodeAt } from '../support/totp-codes';

/**
 * Step-up proof over HTTP on DynamoDB Local (API.md "Proof (step-up)"): sessions here are old
 * after a second (REAUTH_MAX_AGE_SECONDS 1), so each change needs the password or a code, or
 * is refused: 403 `mfa_required` with an `mfa_token` for a user with a factor. Wrong codes
 * count toward the account's lockout (LOCKOUT_THRESHOLD 3).
 */
const OWNER = { email: 'owner@mfa-step-up.test', password: 'mfa step-up owner passphrase' };
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

/** A new viewer, signed in, with a confirmed TOTP factor (enrolled by password proof). */
const enrolledMember = async () => {
  const email = `m-${randomUUID().slice(0, 8)}@mfa-step-up.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role: 'viewer', password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  const token = await signIn(email, PASSWORD);
  await pause(1100);
  // An old session with no proof and no factor: forbidden, saying what to send.
  const unproven = await call('POST', '/me/mfa/totp', { token });
  expect(unproven.status, unproven.text).toBe(403);
  expect(unproven.body.error.code).toBe('forbidden');
  expect(unproven.body.mfa_token).toBeUndefined();
  const started = await call('POST', '/me/mfa/totp', { token, json: { password: PASSWORD } });
  expect(started.status, started.text).toBe(201);
  const { factor_id: factorId, secret } = started.body as { factor_id: string; secret: string };
  const confirmed = await call('POST', `/me/mfa/totp/${factorId}/confirm`, {
    token,
    json: { code: totpCodeAt(secret, Date.now()) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  return { id: made.body.user.id as string, email, token, factorId, secret };
};

/**
 * A code of the step after now's: past the confirming code's (spent) step, and within the one
 * step of drift the server accepts.
 */
const nextStepCode = (secret: string) => totpCodeAt(secret, Date.now() + 30_000);

describe('an old session without proof', () => {
  it('gets 403 mfa_required with an mfa_token and the factors, on every guarded route', async () => {
    const m = await enrolledMember();
    const guarded = [
      ['POST', '/me/mfa/totp', undefined],
      ['POST', '/me/mfa/recovery-codes', undefined],
      ['DELETE', `/me/mfa/${m.factorId}`, undefined],
      ['PATCH', '/me', { email: `moved-${randomUUID().slice(0, 6)}@mfa-step-up.test` }],
      ['POST', '/me/password', { new_password: 'a stolen token passphrase' }],
      ['DELETE', '/me', undefined],
    ] as const;
    const tokens = new Set<string>();
    for (const [method, path, json] of guarded) {
      const refused = await call(method, path, { token: m.token, ...(json ? { json } : {}) });
      expect(refused.status, `${method} ${path}: ${refused.text}`).toBe(403);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.body).toEqual({
        error: { code: 'mfa_required', message: expect.any(String) },
        mfa_token: expect.stringMatching(/^mft_[\w-]{43}$/),
        factors: [{ factor_id: m.factorId, type: 'totp' }],
      });
      tokens.add(refused.body.mfa_token);
    }
    expect(tokens.size).toBe(guarded.length);
    // Nothing changed.
    const me = await call('GET', '/me', { token: m.token });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(m.email);
    expect((await call('GET', '/me/mfa', { token: m.token })).body.factors).toHaveLength(1);
  });
});

describe('proof in the body', () => {
  it('takes a TOTP code once; its replay and a wrong password are 403 forbidden', async () => {
    const m = await enrolledMember();
    const code = nextStepCode(m.secret);
    const renewed = await call('POST', '/me/mfa/recovery-codes', {
      token: m.token,
      json: { code },
    });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body.recovery_codes).toHaveLength(10);
    const replay = await call('POST', '/me/mfa/recovery-codes', { token: m.token, json: { code } });
    expect(replay.status, replay.text).toBe(403);
    expect(replay.body.error.code).toBe('forbidden');
    const wrongPassword = await call('DELETE', `/me/mfa/${m.factorId}`, {
      token: m.token,
      json: { password: 'not my passphrase at all' },
    });
    expect(wrongPassword.status, wrongPassword.text).toBe(403);
    expect(wrongPassword.body.error.code).toBe('forbidden');
    expect((await call('GET', '/me/mfa', { token: m.token })).body.factors).toHaveLength(1);
    // The password proves it: the factor goes.
    const removed = await call('DELETE', `/me/mfa/${m.factorId}`, {
      token: m.token,
      json: { password: PASSWORD },
    });
    expect(removed.status, removed.text).toBe(204);
  });

  it('takes a recovery code for PATCH /me {email}, POST /me/password and DELETE /me', async () => {
    const m = await enrolledMember();
    const renewed = await call('POST', '/me/mfa/recovery-codes', {
      token: m.token,
      json: { password: PASSWORD },
    });
    const [a, b, c] = renewed.body.recovery_codes as string[];
    const moved = await call('PATCH', '/me', {
      token: m.token,
      json: { email: `moved-${randomUUID().slice(0, 6)}@mfa-step-up.test`, code: a },
    });
    expect(moved.status, moved.text).toBe(200);
    const changed = await call('POST', '/me/password', {
      token: m.token,
      json: { new_password: 'my next long passphrase', code: b },
    });
    expect(changed.status, changed.text).toBe(204);
    const deleted = await call('DELETE', '/me', { token: m.token, json: { code: c } });
    expect(deleted.status, deleted.text).toBe(204);
    expect((await call('GET', `/users/${m.id}`, { token: ownerToken })).status).toBe(404);
  });

  it('counts wrong codes toward the lockout: past LOCKOUT_THRESHOLD it is 429, even for the right code', async () => {
    const m = await enrolledMember();
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await call('POST', '/me/mfa/recovery-codes', {
        token: m.token,
        json: { code: 'aaaaa-aaaaa' },
      });
      expect(wrong.status, wrong.text).toBe(403);
    }
    const locked = await call('POST', '/me/mfa/recovery-codes', {
      token: m.token,
      json: { code: nextStepCode(m.secret) },
    });
    expect(locked.status, locked.text).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    const failures = await call('GET', `/audit?action=mfa.challenge&target_id=${m.id}&limit=50`, {
      token: ownerToken,
    });
    expect(
      (failures.body.events as { outcome: string }[]).filter((e) => e.outcome === 'failure'),
    ).toHaveLength(3);
    expect(failures.text).not.toContain('aaaaa-aaaaa');
  });
});
