import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { sesGate } from '../support/ses-gate';

/**
 * Invariant: no answer tells whether an address has an account. Mail that goes only to real
 * accounts leaves the request's path (a background task here, an asynchronous Lambda
 * invocation on AWS), so forgot-password and resend answer alike for known and unknown
 * addresses whether SES is fast, hanging or failing; `PATCH /me {email}` answers a taken
 * address as a free one and mails nothing for it. No timings are asserted: the requests are
 * shown not to wait for SES (they are answered while SES holds the mail unanswered).
 */
const OWNER = { email: 'owner@enum.test', password: 'enumeration owner passphrase' };
const PASSWORD = 'a member passphrase 1';

const gate = sesGate();
const env: Record<string, string> = {
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  SIGN_UP_ENABLED: '1',
  REQUIRE_EMAIL_VERIFICATION: '1',
  RATE_LIMIT_PER_EMAIL: '1000',
  RATE_LIMIT_PER_IP: '1000',
};
// Registered before the stack's hook, so the stack starts with the gate as its SES endpoint.
beforeAll(async () => {
  env.SES_ENDPOINT = await gate.start();
});
const { call, signIn, stack, mail } = useLocalStack(env);
beforeAll(() => gate.forwardTo(stack().sesUrl));
afterAll(() => gate.stop());

let n = 0;
const anAddress = () => `member-${++n}@enum.test`;

/** An unverified account (sign-up with verification required), its mail already delivered. */
const signedUp = async () => {
  const email = anAddress();
  const reply = await call('POST', '/auth/sign-up', { json: { email, password: PASSWORD } });
  expect(reply.status, reply.text).toBe(201);
  await mail().latestTo(email, { subjectIncludes: 'Confirm your email' });
  return email;
};

const until = async (condition: () => boolean, what: string) => {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((wait) => setTimeout(wait, 20));
  }
};

/** Waits until `email` has had `count` mails (resend's subject is sign-up's, so count them). */
const untilMailed = async (email: string, count: number, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while ((await mail().countTo(email)) < count) {
    if (Date.now() > deadline) throw new Error(`Mail ${count} to ${email} never came.`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
};

describe.each([
  ['POST /auth/password/forgot', '/auth/password/forgot', 'Reset your password'],
  ['POST /auth/email/resend', '/auth/email/resend', 'Confirm your email'],
])('%s', (_name, path, subject) => {
  it('answers while SES hangs, alike for a known and an unknown address; the mail goes once SES answers', async () => {
    const email = await signedUp();
    const before = await mail().countTo(email);
    gate.setMode('hold');
    try {
      const known = await call('POST', path, { json: { email } });
      const unknown = await call('POST', path, { json: { email: anAddress() } });
      expect(known.status, known.text).toBe(202);
      expect([unknown.status, unknown.text]).toEqual([known.status, known.text]);
      // Answered, and the mail is still waiting on SES: the request did not wait for it.
      await until(() => gate.heldCount() > 0, 'the mail to reach SES');
      expect(await mail().countTo(email)).toBe(before);
    } finally {
      gate.setMode('pass');
    }
    await untilMailed(email, before + 1, 5000);
    expect((await mail().latestTo(email)).subject).toContain(subject);
  });

  it('answers 202 alike while SES fails, and the mail goes once SES is back', async () => {
    const email = await signedUp();
    const before = await mail().countTo(email);
    const failedBefore = gate.failedCount();
    gate.setMode('fail');
    try {
      const known = await call('POST', path, { json: { email } });
      const unknown = await call('POST', path, { json: { email: anAddress() } });
      expect(known.status, known.text).toBe(202);
      expect([unknown.status, unknown.text]).toEqual([known.status, known.text]);
      await until(() => gate.failedCount() > failedBefore, 'SES to refuse the mail');
    } finally {
      gate.setMode('pass');
    }
    // The background queue retries (0.5 s, then 2 s, ...).
    await untilMailed(email, before + 1, 10_000);
    expect((await mail().latestTo(email)).subject).toContain(subject);
  }, 20_000);
});

describe('PATCH /me {email}', () => {
  it('answers a taken address as a free one, 200 with the old email, and mails nothing for it', async () => {
    const email = await signedUp();
    const verify = await mail().latestTo(email, { subjectIncludes: 'Confirm your email' });
    const token = /#token=(evt_[\w-]{43})/.exec(verify.text)?.[1];
    expect(
      (await call('POST', '/auth/email/verify', { json: { token, password: PASSWORD } })).status,
    ).toBe(204);
    const access = await signIn(email, PASSWORD);
    const ownMails = await mail().countTo(email);
    const ownerMails = await mail().countTo(OWNER.email);

    const taken = await call('PATCH', '/me', { token: access, json: { email: OWNER.email } });
    const freeAddress = anAddress();
    const free = await call('PATCH', '/me', { token: access, json: { email: freeAddress } });
    expect(taken.status, taken.text).toBe(200);
    expect([taken.status, taken.body]).toEqual([free.status, free.body]);
    expect(taken.body.user.email).toBe(email);

    // The free address's mails arrive; by then none went out for the taken one.
    await mail().latestTo(freeAddress, { subjectIncludes: 'Confirm your new email' });
    const notice = await mail().latestTo(email, { subjectIncludes: 'being changed' });
    expect(notice.text).toContain(freeAddress);
    expect(await mail().countTo(email)).toBe(ownMails + 1);
    expect(await mail().countTo(OWNER.email)).toBe(ownerMails);
  });
});
