import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';

/**
 * Red team (issue 15), kept as a regression: a browser session held back by MFA_REQUIRED_ROLES
 * gets no more on the console than its access token would (sessionGrants): before the fix the
 * console authorised it by its role and it minted a full-grant API token without a factor.
 */
const OWNER = { email: 'owner@red-held.test', password: 'red held-back owner passphrase' };
const PASSWORD = 'a held back member passphrase';
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  MFA_REQUIRED_ROLES: 'editor,admin',
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const member = async (role: string) => {
  const email = `m${randomUUID().slice(0, 8)}@red-held.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  return email;
};

describe('a held-back (password only) browser session of an MFA_REQUIRED_ROLES user', () => {
  it('the API agrees it is held back (control)', async () => {
    const email = await member('editor');
    const api = await call('POST', '/auth/sign-in', { json: { login: email, password: PASSWORD } });
    expect(api.status, api.text).toBe(200);
    expect(api.body.scope).toBe('profile');
    expect(
      (await call('POST', '/tokens', { token: api.body.access_token, json: { name: 'x' } })).status,
    ).toBe(403);
  });

  it('cannot mint an API token with the role grants from the console', async () => {
    const email = await member('editor');
    const flow = browserFlow(() => stack().url);
    await flow.signIn(email, PASSWORD);
    const page = await flow.request('GET', '/console/tokens');
    expect(page.status, page.text).toBe(200);
    const made = await flow.request('POST', '/console/tokens', {
      csrf: flow.hidden(page.text, 'csrf'),
      once: flow.hidden(page.text, 'once'),
      name: 'held back mint',
    });
    const token = /sat_[A-Za-z0-9_-]+/.exec(made.text)?.[0];
    // Expected: refused (the session carries only `profile`). Today: 201 and a sat_ token.
    expect(made.status, `minted ${token}`).toBe(403);
    expect(token).toBeUndefined();
  });

  it('the minted token is not a full-grant bearer', async () => {
    const email = await member('editor');
    const flow = browserFlow(() => stack().url);
    await flow.signIn(email, PASSWORD);
    const page = await flow.request('GET', '/console/tokens');
    const made = await flow.request('POST', '/console/tokens', {
      csrf: flow.hidden(page.text, 'csrf'),
      once: flow.hidden(page.text, 'once'),
      name: 'held back mint 2',
    });
    const token = /sat_[A-Za-z0-9_-]+/.exec(made.text)?.[0];
    if (!token) return; // refused: fixed
    const used = await call('GET', '/tokens', { token });
    expect(used.status, 'a password-only session minted a working tokens:read bearer').toBe(403);
  });

  it('cannot use admin console pages (users:write)', async () => {
    const email = await member('admin');
    const flow = browserFlow(() => stack().url);
    await flow.signIn(email, PASSWORD);
    const list = await flow.request('GET', '/console/users');
    expect(list.status, 'held-back admin reads the user list in the console').toBe(403);
  });
});
