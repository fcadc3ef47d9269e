import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { SSO_SECRET, startTestIdp } from '../support/test-idp';

/** An SSO-only service: new users wait for approval, passwords are off but for break-glass. */
const OWNER = { email: 'owner@sso-only.test', username: 'root', password: 'sso only owner pass' };

const idp = await startTestIdp();
afterAll(() => idp.close());

const { call, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_USERNAME: OWNER.username,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  SSO_JWT_SECRET: SSO_SECRET,
  SSO_IDP_URL: idp.ssoUrl,
  SSO_NEW_USERS: 'pending',
  SSO_DEFAULT_ROLE: 'editor',
  PASSWORD_LOGIN_ENABLED: '0',
});

let ownerToken: string;
beforeAll(async () => {
  idp.setGatehouse(stack().url);
  const reply = await call('POST', '/auth/sign-in', {
    json: { login: OWNER.email, password: OWNER.password },
  });
  expect(reply.status, reply.text).toBe(200);
  ownerToken = reply.body.access_token;
});

const callback = (jwt: string) =>
  fetch(`${stack().url}/auth/sso?jwt=${encodeURIComponent(jwt)}&return_to=%2F`, {
    redirect: 'manual',
  });

describe('SSO_NEW_USERS=pending', () => {
  it('creates a pending account with no session, until an admin approves it', async () => {
    const email = 'newcomer@idp.test';
    const first = await callback(idp.signLikeMetabase({ email, first_name: 'New' }));
    expect(first.status).toBe(403);
    const body = (await first.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('account_pending');
    expect(body.error.message).toMatch(/approval/);
    expect(first.headers.getSetCookie()).toEqual([]);

    const listed = await call('GET', '/users?status=pending', { token: ownerToken });
    const pending = (listed.body.users as { email: string; id: string; role: string }[]).find(
      (u) => u.email === email,
    );
    expect(pending).toMatchObject({ role: 'editor' });
    const approved = await call('POST', `/users/${pending?.id}/approve`, { token: ownerToken });
    expect(approved.status, approved.text).toBe(200);

    const second = await callback(idp.signLikeMetabase({ email, first_name: 'New', again: 1 }));
    expect(second.status).toBe(302);
    expect(second.headers.getSetCookie().join()).toMatch(/gatehouse_session=[\w-]+\.[\w-]{43}/);
  });
});

describe('PASSWORD_LOGIN_ENABLED=0', () => {
  it('refuses password sign-in to everyone else, in the API and at the token endpoint', async () => {
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { email: 'member@sso-only.test', role: 'viewer', password: 'member passphrase 12' },
    });
    expect(made.status, made.text).toBe(201);
    const refused = await call('POST', '/auth/sign-in', {
      json: { login: 'member@sso-only.test', password: 'member passphrase 12' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('password_login_disabled');
  });

  it('keeps a break-glass path for the default owner, by email or username, audited', async () => {
    const byName = await call('POST', '/auth/sign-in', {
      json: { login: OWNER.username, password: OWNER.password },
    });
    expect(byName.status, byName.text).toBe(200);
    // Still a password check: a wrong one is the usual 401.
    const wrong = await call('POST', '/auth/sign-in', {
      json: { login: OWNER.email, password: 'not the password at all' },
    });
    expect(wrong.status).toBe(401);
    const audit = await call('GET', '/audit?action=auth.sign_in', { token: ownerToken });
    const methods = (audit.body.events as { detail: { method: string } }[]).map(
      (e) => e.detail.method,
    );
    expect(methods).toContain('password_break_glass');
  });
});
