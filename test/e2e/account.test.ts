import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { mailbox } from '../support/mailbox';

/** Account self-service end to end, with every mail read from the local SES emulator. */
const OWNER = { email: 'owner@account.test', password: 'account owner passphrase' };

const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  SIGN_UP_ENABLED: '1',
  REQUIRE_EMAIL_VERIFICATION: '1',
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_EMAIL: '3',
  RATE_LIMIT_PER_IP: '1000',
});

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const mail = () => mailbox(stack().sesUrl);
/** The one-time token of the newest mail to `to` whose subject has `subject`. */
const tokenFromMail = async (to: string, subject: string) => {
  const message = await mail().latestTo(to, { subjectIncludes: subject });
  const token = /#token=((?:evt|prt)_[\w-]{43})/.exec(message.text)?.[1];
  expect(token, message.text).toBeDefined();
  expect(message.html).toContain(`#token=${token}`);
  return token as string;
};

let n = 0;
const anAddress = () => `member-${++n}@account.test`;
const PASSWORD = 'a member passphrase 1';

/** Signs up and verifies; answers the address and a fresh access token. */
const verifiedMember = async () => {
  const email = anAddress();
  expect(
    (await call('POST', '/auth/sign-up', { json: { email, password: PASSWORD } })).status,
  ).toBe(201);
  const token = await tokenFromMail(email, 'Confirm your email');
  // With the account's password, confirming keeps it (account linking: else it is removed).
  const verified = await call('POST', '/auth/email/verify', {
    json: { token, password: PASSWORD },
  });
  expect(verified.status).toBe(204);
  return { email, token: await signIn(email, PASSWORD) };
};

describe('sign-up and email verification', () => {
  it('signs up unverified, refuses sign-in until the mailed link is used, once', async () => {
    const email = anAddress();
    const signedUp = await call('POST', '/auth/sign-up', {
      json: { email, password: PASSWORD, name: 'Mia' },
    });
    expect(signedUp.status, signedUp.text).toBe(201);
    expect(signedUp.body.user).toMatchObject({ email, role: 'viewer', status: 'unverified' });
    const early = await call('POST', '/auth/sign-in', {
      json: { login: email, password: PASSWORD },
    });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('account_pending');

    const token = await tokenFromMail(email, 'Confirm your email');
    const confirmed = await call('POST', '/auth/email/verify', {
      json: { token, password: PASSWORD },
    });
    expect(confirmed.status).toBe(204);
    const again = await call('POST', '/auth/email/verify', { json: { token } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('record_invalid');
    expect(await signIn(email, PASSWORD)).toEqual(expect.any(String));
  });

  it('says what is wrong with a refused password, and refuses a taken address', async () => {
    const weak = await call('POST', '/auth/sign-up', {
      json: { email: anAddress(), password: 'password1234' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error.message).toMatch(/^password /);
    const taken = await call('POST', '/auth/sign-up', {
      json: { email: OWNER.email, password: PASSWORD },
    });
    expect(taken.status).toBe(409);
  });

  it('resends the link to an unverified address only, answering 202 either way', async () => {
    const email = anAddress();
    await call('POST', '/auth/sign-up', { json: { email, password: PASSWORD } });
    const first = await tokenFromMail(email, 'Confirm your email');
    const resent = await call('POST', '/auth/email/resend', { json: { email } });
    expect(resent.status).toBe(202);
    const second = await tokenFromMail(email, 'Confirm your email');
    expect(second).not.toBe(first);
    const unknown = await call('POST', '/auth/email/resend', { json: { email: anAddress() } });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(resent.body);
  });
});

describe('password reset', () => {
  it('mails a link that sets the password once and ends every session', async () => {
    const { email, token: oldAccess } = await verifiedMember();
    const session = await call('POST', '/auth/sign-in', {
      json: { login: email, password: PASSWORD },
    });
    const forgot = await call('POST', '/auth/password/forgot', { json: { email } });
    expect(forgot.status).toBe(202);
    const token = await tokenFromMail(email, 'Reset your password');
    const fresh = 'a brand new passphrase';
    const reset = await call('POST', '/auth/password/reset', { json: { token, password: fresh } });
    expect(reset.status, reset.text).toBe(204);
    expect((await call('GET', '/me', { token: oldAccess })).status).toBe(401);
    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: session.body.refresh_token },
    });
    expect(refreshed.status).toBe(401);
    expect(
      (
        await call('POST', '/auth/password/reset', {
          json: { token, password: 'yet another one 9' },
        })
      ).status,
    ).toBe(400);
    const old = await call('POST', '/auth/sign-in', { json: { login: email, password: PASSWORD } });
    expect(old.status).toBe(401);
    expect(await signIn(email, fresh)).toEqual(expect.any(String));
  });

  it('answers an unknown address exactly as a known one, and mails nobody', async () => {
    const { email } = await verifiedMember();
    const known = await call('POST', '/auth/password/forgot', { json: { email } });
    const stranger = anAddress();
    const unknown = await call('POST', '/auth/password/forgot', { json: { email: stranger } });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual(known.body);
    expect((await mail().all()).some((m) => m.to.includes(stranger))).toBe(false);
  });

  it('limits mails per address, answering 429 with Retry-After', async () => {
    const { email } = await verifiedMember();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const reply = await call('POST', '/auth/password/forgot', { json: { email } });
      statuses.push(reply.status);
      retryAfter ??= reply.headers.get('retry-after');
    }
    // The sign-up's verification mail counted too: 3 an hour.
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('refuses a garbage or unknown token with 400', async () => {
    for (const token of ['garbage', `prt_${'A'.repeat(43)}`]) {
      const reply = await call('POST', '/auth/password/reset', {
        json: { token, password: 'some new passphrase' },
      });
      expect(reply.status).toBe(400);
    }
  });
});

describe('the signed-in account', () => {
  it('changes the password with the current one, keeping only the caller’s session', async () => {
    const { email, token: mine } = await verifiedMember();
    const other = await signIn(email, PASSWORD);
    const wrong = await call('POST', '/me/password', {
      token: mine,
      json: { current_password: 'not it at all', new_password: 'another passphrase 2' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('forbidden');
    const changed = await call('POST', '/me/password', {
      token: mine,
      json: { current_password: PASSWORD, new_password: 'another passphrase 2' },
    });
    expect(changed.status, changed.text).toBe(204);
    expect((await call('GET', '/me', { token: mine })).status).toBe(200);
    expect((await call('GET', '/me', { token: other })).status).toBe(401);
  });

  it('takes only a session’s access token, never an API token, to change the account', async () => {
    const { token } = await verifiedMember();
    const apiToken = await call('POST', '/tokens', { token, json: { name: 'ci' } });
    const reply = await call('PATCH', '/me', {
      token: apiToken.body.token,
      json: { name: 'Via token' },
    });
    expect(reply.status).toBe(403);
  });

  it('changes name and username at once, and the email only once the new one is confirmed', async () => {
    const { email, token } = await verifiedMember();
    const renamed = await call('PATCH', '/me', {
      token,
      json: { name: 'New Name', username: `user${n}` },
    });
    expect(renamed.body.user).toMatchObject({ name: 'New Name', username: `user${n}` });
    const newEmail = anAddress();
    const moving = await call('PATCH', '/me', { token, json: { email: newEmail } });
    expect(moving.status, moving.text).toBe(200);
    expect(moving.body.user.email).toBe(email);
    const notice = await mail().latestTo(email, { subjectIncludes: 'being changed' });
    expect(notice.text).toContain(newEmail);
    const confirm = await tokenFromMail(newEmail, 'Confirm your new email');
    const confirmed = await call('POST', '/auth/email/verify', {
      json: { token: confirm, password: PASSWORD },
    });
    expect(confirmed.status).toBe(204);
    expect((await call('GET', '/me', { token })).body.user.email).toBe(newEmail);
    // A taken address answers as a free one (test/e2e/enumeration.test.ts).
    const taken = await call('PATCH', '/me', { token, json: { email: OWNER.email } });
    expect(taken.status).toBe(200);
    expect(taken.body.user.email).toBe(newEmail);
  });

  it('deletes the account with the password again; the last owner cannot leave', async () => {
    const { email, token } = await verifiedMember();
    const wrong = await call('DELETE', '/me', { token, json: { password: 'not it at all' } });
    expect(wrong.status).toBe(403);
    expect((await call('DELETE', '/me', { token, json: { password: PASSWORD } })).status).toBe(204);
    const gone = await call('POST', '/auth/sign-in', {
      json: { login: email, password: PASSWORD },
    });
    expect(gone.status).toBe(401);
    const owner = await call('DELETE', '/me', {
      token: ownerToken,
      json: { password: 'even a wrong password' },
    });
    expect(owner.status).toBe(409);
  });

  it('signs out one session with its access token, or all of them', async () => {
    const { email, token: first } = await verifiedMember();
    const second = await signIn(email, PASSWORD);
    const third = await signIn(email, PASSWORD);
    expect((await call('POST', '/auth/sign-out', { token: first, json: {} })).status).toBe(204);
    expect((await call('GET', '/me', { token: first })).status).toBe(401);
    expect((await call('GET', '/me', { token: second })).status).toBe(200);
    expect(
      (await call('POST', '/auth/sign-out', { token: second, json: { all: true } })).status,
    ).toBe(204);
    expect((await call('GET', '/me', { token: third })).status).toBe(401);
  });
});
