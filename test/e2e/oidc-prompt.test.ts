import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/core/shared/ids';
import { buildDeps } from '../../src/http/composition';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp, thirdPartyApp } from '../support/oauth';

/**
 * OIDC Core §3.1.2.1 on the local stack: prompt=none never shows a page (its errors go back to
 * the registered redirect URI with the state, and never to an unregistered one), prompt=login
 * and max_age force a fresh sign-in whose time the code carries, login_hint only prefills, and
 * the nonce rides on the code.
 */
const OWNER = { email: 'owner@prompt.test', password: 'prompt owner passphrase 1' };
const CB = 'https://rp.prompt.test/cb';
const THIRD_CB = 'https://third.prompt.test/cb';

const { stack, signIn, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let firstParty: string;
let thirdParty: string;

beforeAll(async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  firstParty = (await registerClient(owner, firstPartyApp('RP', CB))).client_id;
  thirdParty = (await registerClient(owner, thirdPartyApp('Third', THIRD_CB))).client_id;
});

const browser = () => browserFlow(() => stack().url);

const back = (location: string | null) => {
  const url = new URL(location as string);
  return { to: url.origin + url.pathname, params: url.searchParams };
};

/** The code's stored record, spent by reading it (only its hash is kept). */
const storedCode = async (code: string) =>
  buildDeps(process.env).store.consumeAuthorizationCode(sha256(code), Date.now());

/** Follows the sign-in redirect of a prompt=login/max_age request through a fresh sign-in. */
const signInAgain = async (flow: ReturnType<typeof browser>, location: string) => {
  expect(location).toMatch(/^\/sign-in\?return_to=%2Foauth%2Fauthorize%3F.*&fresh=1/);
  const page = await flow.request('GET', location);
  // Signed in already, yet the form is shown: the session is not reused.
  expect(page.status).toBe(200);
  expect(page.text).toContain('name="password"');
  const done = await flow.request('POST', '/sign-in', {
    csrf: flow.hidden(page.text, 'csrf'),
    return_to: flow.hidden(page.text, 'return_to'),
    login: OWNER.email,
    password: OWNER.password,
  });
  expect(done.status).toBe(303);
  expect(done.location).toMatch(/^\/oauth\/authorize\?.*signed_in_after=\d+/);
  return flow.request('GET', done.location as string);
};

describe('prompt=none', () => {
  it('without a browser session: login_required back to the client, with the state', async () => {
    const { authorized } = await browser().authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-none',
      prompt: 'none',
    });
    expect(authorized.status).toBe(302);
    const { to, params } = back(authorized.location);
    expect(to).toBe(CB);
    expect(params.get('error')).toBe('login_required');
    expect(params.get('state')).toBe('st-none');
    expect(params.get('code')).toBeNull();
  });

  it('never redirects to an unregistered redirect URI, signed in or not', async () => {
    const flow = browser();
    for (const signedIn of [false, true]) {
      if (signedIn) await flow.signIn(OWNER.email, OWNER.password);
      for (const redirect of ['https://evil.prompt.test/cb', `${CB}/other`, THIRD_CB]) {
        const { authorized } = await flow.authorize({
          client_id: firstParty,
          redirect_uri: redirect,
          state: 'st-evil',
          prompt: 'none',
        });
        expect(authorized.status).toBe(400);
        expect(authorized.location).toBeNull();
        expect(authorized.text).not.toContain('ac_');
      }
    }
  });

  it('signed in, a first-party client: a code with no page at all', async () => {
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    const { authorized } = await flow.authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-ok',
      prompt: 'none',
      nonce: 'n-0S6_WzA2Mj',
    });
    const { to, params } = back(authorized.location);
    expect(to).toBe(CB);
    expect(params.get('state')).toBe('st-ok');
    const code = await storedCode(params.get('code') as string);
    expect(code?.nonce).toBe('n-0S6_WzA2Mj');
  });

  it('signed in, consent needed: consent_required, never the consent page', async () => {
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    const { authorized } = await flow.authorize({
      client_id: thirdParty,
      redirect_uri: THIRD_CB,
      state: 'st-consent',
      prompt: 'none',
    });
    const { to, params } = back(authorized.location);
    expect(to).toBe(THIRD_CB);
    expect(params.get('error')).toBe('consent_required');
    expect(params.get('state')).toBe('st-consent');
  });

  it('a session older than max_age: login_required; none with login: invalid_request', async () => {
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    await sleep(1100);
    const stale = await flow.authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-age',
      prompt: 'none',
      max_age: '1',
    });
    expect(back(stale.authorized.location).params.get('error')).toBe('login_required');
    expect(back(stale.authorized.location).params.get('state')).toBe('st-age');
    const mixed = await flow.authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-mix',
      prompt: 'none login',
    });
    expect(back(mixed.authorized.location).params.get('error')).toBe('invalid_request');
    expect(back(mixed.authorized.location).params.get('state')).toBe('st-mix');
  });
});

describe('prompt=login and max_age', () => {
  it('prompt=login: a fresh sign-in, whose auth_time the code carries', async () => {
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    await sleep(50);
    const asked = Date.now();
    const { authorized } = await flow.authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-login',
      prompt: 'login',
      nonce: 'n-login',
    });
    expect(authorized.status).toBe(303);
    const returned = await signInAgain(flow, authorized.location as string);
    const { to, params } = back(returned.location);
    expect(to).toBe(CB);
    expect(params.get('state')).toBe('st-login');
    const code = await storedCode(params.get('code') as string);
    expect(code?.authTime).toBeGreaterThanOrEqual(asked);
    expect(code?.nonce).toBe('n-login');
  });

  it('max_age: a session within it is reused, an older one is not', async () => {
    const flow = browser();
    const signedInAt = Date.now();
    await flow.signIn(OWNER.email, OWNER.password);
    const fresh = await flow.authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-recent',
      max_age: '3600',
    });
    const reused = await storedCode(back(fresh.authorized.location).params.get('code') as string);
    expect(reused?.authTime).toBeGreaterThanOrEqual(signedInAt);
    expect(reused?.authTime).toBeLessThan(signedInAt + 5000);
    await sleep(1100);
    const asked = Date.now();
    const stale = await flow.authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-old',
      max_age: '1',
    });
    const returned = await signInAgain(flow, stale.authorized.location as string);
    const { params } = back(returned.location);
    expect(params.get('state')).toBe('st-old');
    const code = await storedCode(params.get('code') as string);
    expect(code?.authTime).toBeGreaterThanOrEqual(asked);
  });

  it('a signed-out browser signs in once and comes back with a code (no loop)', async () => {
    const flow = browser();
    const { authorized } = await flow.authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-first',
      prompt: 'login',
      max_age: '0',
    });
    const location = authorized.location as string;
    expect(location).not.toContain('fresh=1');
    const page = await flow.request('GET', location);
    const done = await flow.request('POST', '/sign-in', {
      csrf: flow.hidden(page.text, 'csrf'),
      return_to: flow.hidden(page.text, 'return_to'),
      login: OWNER.email,
      password: OWNER.password,
    });
    const returned = await flow.request('GET', done.location as string);
    expect(back(returned.location).params.get('code')).toMatch(/^ac_/);
    expect(back(returned.location).params.get('state')).toBe('st-first');
  });
});

describe('prompt=consent', () => {
  it('shows the consent page even for a remembered grant, and the code keeps the nonce', async () => {
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    const ask = (extra: Record<string, string>) =>
      flow.authorize({ client_id: thirdParty, redirect_uri: THIRD_CB, state: 'st-c', ...extra });
    const first = await ask({ nonce: 'n-consent-1' });
    const allowed = await flow.consent(first.authorized.location as string, 'allow');
    const code = await storedCode(back(allowed.answered.location).params.get('code') as string);
    expect(code?.nonce).toBe('n-consent-1');
    // Remembered now: no page, unless prompt=consent asks for it.
    const remembered = await ask({ prompt: 'none' });
    expect(back(remembered.authorized.location).params.get('code')).toMatch(/^ac_/);
    const again = await ask({ prompt: 'consent', nonce: 'n-consent-2' });
    expect(again.authorized.location).toMatch(/^\/consent\?request=/);
    const answered = await flow.consent(again.authorized.location as string, 'allow');
    const second = await storedCode(back(answered.answered.location).params.get('code') as string);
    expect(second?.nonce).toBe('n-consent-2');
    expect(back(answered.answered.location).params.get('state')).toBe('st-c');
  });
});

describe('login_hint', () => {
  it('prefills the sign-in form, escaped, and changes nothing else', async () => {
    const hint = 'ann@prompt.test"><script>alert(1)</script>';
    const { authorized } = await browser().authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-hint',
      login_hint: hint,
    });
    const page = await browser().request('GET', authorized.location as string);
    expect(page.status).toBe(200);
    expect(page.text).toContain(
      'value="ann@prompt.test&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
    );
    expect(page.text).not.toContain('<script>alert(1)');
    // The hint names nobody: signing in as someone else still works.
    const flow = browser();
    const again = await flow.authorize({
      client_id: firstParty,
      redirect_uri: CB,
      state: 'st-hint',
      login_hint: 'someone-else@prompt.test',
    });
    const form = await flow.request('GET', again.authorized.location as string);
    expect(form.text).toContain('value="someone-else@prompt.test"');
    const done = await flow.request('POST', '/sign-in', {
      csrf: flow.hidden(form.text, 'csrf'),
      return_to: flow.hidden(form.text, 'return_to'),
      login: OWNER.email,
      password: OWNER.password,
    });
    const returned = await flow.request('GET', done.location as string);
    expect(back(returned.location).params.get('state')).toBe('st-hint');
    expect(back(returned.location).params.get('code')).toMatch(/^ac_/);
  });
});
