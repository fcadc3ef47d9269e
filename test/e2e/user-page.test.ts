import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';

const OWNER = { email: 'owner@person.test', password: 'the person lane owner passphrase' };
const PASSWORD = 'a member of the person lane';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';
const SAFARI_IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
  LOCKOUT_THRESHOLD: '3',
});

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const member = async (role: string) => {
  const email = `m${randomUUID().slice(0, 8)}@person.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  return { email, id: made.body.user.id as string };
};

const apiSignIn = async (login: string, userAgent: string) => {
  const reply = await call('POST', '/auth/sign-in', {
    json: { login, password: PASSWORD },
    headers: { 'user-agent': userAgent },
  });
  expect(reply.status, reply.text).toBe(200);
  const sid = JSON.parse(Buffer.from(reply.body.access_token.split('.')[1], 'base64url').toString())
    .sid as string;
  return { refresh: reply.body.refresh_token as string, sid };
};

const asAdmin = async () => {
  const admin = await member('admin');
  const flow = browserFlow(() => stack().url);
  await flow.signIn(admin.email, PASSWORD);
  return { admin, flow };
};

describe('the user page on DynamoDB Local', () => {
  it('lists sessions with device, IP and last use, and signs out only the chosen one', async () => {
    const editor = await member('editor');
    const first = await apiSignIn(editor.email, FIREFOX);
    const second = await apiSignIn(editor.email, SAFARI_IOS);
    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: first.refresh },
    });
    expect(refreshed.status, refreshed.text).toBe(200);
    const { flow } = await asAdmin();
    const page = await flow.request('GET', `/console/users/${editor.id}`);
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('Firefox on Linux');
    expect(page.text).toContain('Safari on iOS');
    // The refreshed session has a last use; the other has none yet.
    const firefoxRow =
      page.text.slice(page.text.indexOf('Firefox on Linux')).split('</tr>')[0] ?? '';
    expect(firefoxRow).toMatch(/<time datetime="[^"]+"[^>]*>/g);
    expect((firefoxRow.match(/<time /g) ?? []).length).toBe(2);
    expect(firefoxRow).not.toContain('Not since');
    // The address it was opened from (the local server's client address).
    expect(firefoxRow).toMatch(/<td[^>]*>[0-9a-f.:]+<\/td>/);
    const ended = await flow.request(
      'POST',
      `/console/users/${editor.id}/sessions/${second.sid}/sign-out`,
      { csrf: flow.hidden(page.text, 'csrf') },
    );
    expect(ended.status, ended.text).toBe(303);
    // Its refresh fails; the other session's still works.
    const third = await apiSignIn(editor.email, FIREFOX);
    expect(
      (await call('POST', '/auth/refresh', { json: { refresh_token: second.refresh } })).status,
    ).toBe(401);
    expect(
      (
        await call('POST', '/auth/refresh', {
          json: { refresh_token: refreshed.body.refresh_token },
        })
      ).status,
    ).toBe(200);
    expect(
      (await call('POST', '/auth/refresh', { json: { refresh_token: third.refresh } })).status,
    ).toBe(200);
    const events = await call('GET', `/audit?action=user.sign_out&target_id=${editor.id}`, {
      token: ownerToken,
    });
    expect(events.body.events[0]?.detail).toMatchObject({ sid: second.sid });
  });

  it('answers 404 for a sid of another user and ends nothing', async () => {
    const editor = await member('editor');
    const other = await member('viewer');
    const theirs = await apiSignIn(other.email, FIREFOX);
    const { flow } = await asAdmin();
    const page = await flow.request('GET', `/console/users/${editor.id}`);
    const crossed = await flow.request(
      'POST',
      `/console/users/${editor.id}/sessions/${theirs.sid}/sign-out`,
      { csrf: flow.hidden(page.text, 'csrf') },
    );
    expect(crossed.status).toBe(404);
    expect(
      (await call('POST', '/auth/refresh', { json: { refresh_token: theirs.refresh } })).status,
    ).toBe(200);
  });

  it('lists a lock and clears it (audited); an admin cannot clear an owner’s', async () => {
    const editor = await member('editor');
    const owner = await member('owner');
    for (const login of [editor.email, owner.email]) {
      for (let i = 0; i < 3; i++) {
        await call('POST', '/auth/sign-in', { json: { login, password: 'not the password!' } });
      }
      const locked = await call('POST', '/auth/sign-in', { json: { login, password: PASSWORD } });
      expect(locked.status).toBe(429);
    }
    const { flow } = await asAdmin();
    const view = await flow.request('GET', '/console/lockouts');
    expect(view.status, view.text).toBe(200);
    expect(view.text).toContain(editor.email);
    expect(view.text).toContain(owner.email);
    expect(view.text).toContain(`Clear lock of ${editor.email}`);
    expect(view.text).not.toContain(`Clear lock of ${owner.email}`);
    const csrf = flow.hidden(view.text, 'csrf');
    const refused = await flow.request('POST', '/console/lockouts/clear', {
      csrf,
      user_id: owner.id,
    });
    expect(refused.status).toBe(403);
    const cleared = await flow.request('POST', '/console/lockouts/clear', {
      csrf,
      user_id: editor.id,
    });
    expect(cleared.status, cleared.text).toBe(303);
    // The right password gets in at once; the owner stays locked.
    expect(
      (await call('POST', '/auth/sign-in', { json: { login: editor.email, password: PASSWORD } }))
        .status,
    ).toBe(200);
    expect(
      (await call('POST', '/auth/sign-in', { json: { login: owner.email, password: PASSWORD } }))
        .status,
    ).toBe(429);
    const after = await flow.request('GET', '/console/lockouts');
    expect(after.text).not.toContain(editor.email);
    const events = await call('GET', `/audit?action=user.unlock&target_id=${editor.id}`, {
      token: ownerToken,
    });
    expect(events.body.events).toHaveLength(1);
  });
});
