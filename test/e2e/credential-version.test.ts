import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { mailbox } from '../support/mailbox';

// Regression over HTTP on DynamoDB Local for red team A findings 1 and 6 (their exploit tests,
// turned around): the credential version (src/core/sessions/credential-version.ts) and the step-up on
// PATCH /me {email}.
const OWNER = { email: 'owner@credver.test', password: 'credver e2e owner passphrase' };
const OLD = 'the leaked old passphrase';

const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  LOCKOUT_THRESHOLD: '100',
  REVOCATION_CACHE_SECONDS: '0',
  // A session signed in more than a second ago needs a password for a new email.
  REAUTH_MAX_AGE_SECONDS: '1',
});
const mail = () => mailbox(stack().sesUrl);
const tokenFromMail = async (to: string, subject: string) => {
  const message = await mail().latestTo(to, { subjectIncludes: subject });
  return /#token=((?:evt|prt)_[\w-]{43})/.exec(message.text)?.[1] as string;
};
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const makeUser = async (role: 'owner' | 'viewer', password: string) => {
  const email = `u${randomUUID().slice(0, 8)}@credver.test`;
  const made = await call('POST', '/users', { token: ownerToken, json: { email, role, password } });
  expect(made.status, made.text).toBe(201);
  return { id: made.body.user.id as string, email };
};

describe('no refresh token outlives an admin reset', () => {
  it('parallel sign-ins with the old password during an admin reset: none refreshes after it', async () => {
    const victim = await makeUser('viewer', OLD);
    let stop = false;
    const tokens: string[] = [];
    const stream = async () => {
      while (!stop) {
        const r = await call('POST', '/auth/sign-in', {
          json: { login: victim.email, password: OLD },
        });
        if (r.status === 200) tokens.push(r.body.refresh_token);
      }
    };
    const streams = Array.from({ length: 6 }, stream);
    await pause(300);
    const reset = await call('POST', `/users/${victim.id}/password`, {
      token: ownerToken,
      json: { password: 'the new passphrase only the victim knows' },
    });
    expect(reset.status, reset.text).toBe(204);
    // In-flight sign-ins land (refused now), then stop.
    await pause(500);
    stop = true;
    await Promise.all(streams);
    expect(tokens.length).toBeGreaterThan(0);
    const refreshed = await Promise.all(
      tokens.map((token) => call('POST', '/auth/refresh', { json: { refresh_token: token } })),
    );
    expect(refreshed.filter((r) => r.status === 200)).toEqual([]);
  });
});

describe('a stolen access token does not become the account', () => {
  it('PATCH /me {email} without proof from an older session is 403, and nothing is mailed', async () => {
    const boss = await makeUser('owner', 'the boss own passphrase 1');
    const stolen = await signIn(boss.email, 'the boss own passphrase 1');
    await pause(1500);
    const patch = await call('PATCH', '/me', {
      token: stolen,
      json: { email: 'mallory@evil.test' },
    });
    expect(patch.status, patch.text).toBe(403);
    expect(patch.body.error.code).toBe('forbidden');
    const wrong = await call('PATCH', '/me', {
      token: stolen,
      json: { email: 'mallory@evil.test', password: 'a guess' },
    });
    expect(wrong.status, wrong.text).toBe(403);
    const me = await call('GET', '/me', { token: stolen });
    expect(me.body.user.email).toBe(boss.email);
  });

  it('an email-change link dies at a password change', async () => {
    const boss = await makeUser('owner', 'the boss own passphrase 1');
    const session = await signIn(boss.email, 'the boss own passphrase 1');
    await pause(1500);
    const to = `moved${randomUUID().slice(0, 6)}@credver.test`;
    const patch = await call('PATCH', '/me', {
      token: session,
      json: { email: to, password: 'the boss own passphrase 1' },
    });
    expect(patch.status, patch.text).toBe(200);
    const link = await tokenFromMail(to, 'Confirm your new email');
    const change = await call('POST', '/me/password', {
      token: session,
      json: {
        current_password: 'the boss own passphrase 1',
        new_password: 'the boss new passphrase 2',
      },
    });
    expect(change.status, change.text).toBe(204);
    const verified = await call('POST', '/auth/email/verify', { json: { token: link } });
    expect(verified.status, verified.text).toBe(400);
    const back = await call('POST', '/auth/sign-in', {
      json: { login: boss.email, password: 'the boss new passphrase 2' },
    });
    expect(back.status, back.text).toBe(200);
    expect(back.body.user.email).toBe(boss.email);
  });
});
