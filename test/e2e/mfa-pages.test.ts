import { describe, expect, it } from 'vitest';
import { browserSessionUser } from '../../src/core/sessions/sessions';
import type { CoreDeps } from '../../src/core/shared/deps';
import { loginKey } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { browserFlow } from '../support/browser-flow';
import { confirmedTotp } from '../support/mfa-fixtures';
import { firstPartyApp, pkcePair } from '../support/oauth';
import { hop, ssoCodeStart, useSsoStack } from '../support/sso-stack';
import { totpCodeAt } from '../support/totp-codes';

/** The hosted pages' second factor over HTTP (API.md, MFA; lane mfa-pages). */

const OWNER = { email: 'owner@mfa-pages.test', password: 'mfa pages owner passphrase' };
const PASSWORD = 'a member passphrase for mfa';

const APP = 'https://app.example.com';

const { idp, call, signIn, stack, registerClient, tokenEndpoint, mail } = await useSsoStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  ALLOWED_REDIRECT_ORIGINS: APP,
  REVOCATION_CACHE_SECONDS: '0',
  LOCKOUT_THRESHOLD: '5',
});

const deps = (): CoreDeps => buildDeps(process.env);

let n = 0;
/** A new viewer with a password, and (unless `factor` is false) a confirmed TOTP factor. */
const member = async (factor = true) => {
  n++;
  const email = `member-${n}@mfa-pages.test`;
  const made = await call('POST', '/users', {
    token: await signIn(OWNER.email, OWNER.password),
    json: { email, password: PASSWORD, role: 'viewer' },
  });
  expect(made.status, made.text).toBe(201);
  const user = await deps().store.getUser(made.body.user.id);
  if (!user) throw new Error('no user');
  const totp = factor ? await confirmedTotp(deps(), user) : null;
  return { email, user, totp, confirmedAt: Date.now() };
};

/** A TOTP code the factor has not spent: one step after its confirming code, or now. */
const freshCode = (secret: string, confirmedAt: number) =>
  totpCodeAt(secret, Math.max(Date.now(), confirmedAt + 30_000));

/** A code for a step two minutes ago: never accepted (outside the one-step drift). */
const staleCode = (secret: string) => totpCodeAt(secret, Date.now() - 120_000);

const jarOf = (header: string) =>
  Object.fromEntries(
    header
      .split('; ')
      .filter(Boolean)
      .map((c) => c.split('=') as [string, string]),
  );

/** Password sign-in through the hosted page, up to the challenge page. */
const toChallenge = async (email: string) => {
  const flow = browserFlow(() => stack().url);
  const form = await flow.request('GET', '/sign-in?return_to=%2Fconsole');
  const posted = await flow.request('POST', '/sign-in', {
    csrf: flow.hidden(form.text, 'csrf'),
    return_to: '/console',
    login: email,
    password: PASSWORD,
  });
  return { flow, posted };
};

const answer = async (flow: ReturnType<typeof browserFlow>, code: string, extra = {}) => {
  const page = await flow.request('GET', '/sign-in/mfa?return_to=%2Fconsole');
  expect(page.status, page.text).toBe(200);
  return flow.request('POST', '/sign-in/mfa', {
    csrf: flow.hidden(page.text, 'csrf'),
    return_to: '/console',
    code,
    ...extra,
  });
};

describe('the hosted sign-in with a factor', () => {
  it('sets no session cookie after the password, only the HttpOnly mfa cookie, and no token in a URL', async () => {
    const { email } = await member();
    const flow = browserFlow(() => stack().url);
    const form = await flow.request('GET', '/sign-in');
    const raw = await fetch(`${stack().url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: flow.cookieHeader(),
        origin: stack().url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        csrf: flow.hidden(form.text, 'csrf'),
        return_to: '/console',
        login: email,
        password: PASSWORD,
      }).toString(),
    });
    expect(raw.status).toBe(303);
    expect(raw.headers.get('location')).toBe('/sign-in/mfa?return_to=%2Fconsole');
    const cookies = raw.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith('gatehouse_session='))).toBe(false);
    const mfa = cookies.find((c) => c.startsWith('gatehouse_mfa='));
    expect(mfa).toMatch(
      /^gatehouse_mfa=mft_[\w-]+; Path=\/sign-in\/mfa; Max-Age=300; HttpOnly; SameSite=Lax$/,
    );
    expect(raw.headers.get('location')).not.toContain('mft_');
  });

  it('shows a wrong code as an error, then a right one opens the session; the form cannot be replayed', async () => {
    const { email, totp, confirmedAt } = await member();
    if (!totp) throw new Error('no factor');
    const { flow, posted } = await toChallenge(email);
    expect(posted.location).toBe('/sign-in/mfa?return_to=%2Fconsole');
    // Not signed in yet: the console sends the browser to sign in.
    expect((await flow.request('GET', '/console')).location).toMatch(/^\/sign-in\?/);
    const page = await flow.request('GET', '/sign-in/mfa?return_to=%2Fconsole');
    expect(page.text).not.toContain('mft_');

    const wrong = await answer(flow, staleCode(totp.secret));
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That code is not right.');

    const before = flow.cookieHeader();
    const right = await answer(flow, freshCode(totp.secret, confirmedAt));
    expect(right.status, right.text).toBe(303);
    expect(right.location).toBe('/console');
    const sessionCookie = jarOf(flow.cookieHeader()).gatehouse_session ?? '';
    const signedIn = await browserSessionUser(deps(), sessionCookie);
    expect(signedIn?.user.email).toBe(email);
    expect((await flow.request('GET', '/console')).status).toBe(200);

    // The same form again, with the spent mfa cookie: nothing opens.
    const csrf = flow.hidden(page.text, 'csrf');
    const replay = await fetch(`${stack().url}/sign-in/mfa`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: before,
        origin: stack().url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        csrf,
        return_to: '/console',
        code: freshCode(totp.secret, confirmedAt),
      }).toString(),
    });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/sign-in?notice=mfa_expired');
    expect(replay.headers.getSetCookie().some((c) => c.startsWith('gatehouse_session='))).toBe(
      false,
    );
  });

  it('refuses the challenge form without the CSRF token, and the sign-in stays pending', async () => {
    const { email, totp, confirmedAt } = await member();
    if (!totp) throw new Error('no factor');
    const { flow } = await toChallenge(email);
    const forged = await flow.request('POST', '/sign-in/mfa', {
      return_to: '/console',
      code: freshCode(totp.secret, confirmedAt),
    });
    expect(forged.status).toBe(403);
    expect(jarOf(flow.cookieHeader()).gatehouse_session).toBeUndefined();
    const right = await answer(flow, freshCode(totp.secret, confirmedAt));
    expect(right.status, right.text).toBe(303);
  });

  it('takes a recovery code once', async () => {
    const { email, totp } = await member();
    const code = totp?.codes?.[0] ?? '';
    const first = await toChallenge(email);
    expect((await answer(first.flow, code.toUpperCase())).status).toBe(303);
    const second = await toChallenge(email);
    const again = await answer(second.flow, code);
    expect(again.status).toBe(401);
    expect(jarOf(second.flow.cookieHeader()).gatehouse_session).toBeUndefined();
  });

  it('locks after repeated wrong codes: 429, and the pending sign-in is over', async () => {
    const { email, totp } = await member();
    if (!totp) throw new Error('no factor');
    const { flow } = await toChallenge(email);
    let last = 0;
    for (let i = 0; i < 7 && last !== 429; i++) {
      last = (await answer(flow, staleCode(totp.secret))).status;
    }
    expect(last).toBe(429);
    // Even the right code does not get in now.
    const page = await flow.request('GET', '/sign-in/mfa?return_to=%2Fconsole');
    expect(page.status).toBe(303);
    expect(jarOf(flow.cookieHeader()).gatehouse_session).toBeUndefined();
  });

  it('signs a user without a factor straight in', async () => {
    const { email } = await member(false);
    const { flow, posted } = await toChallenge(email);
    expect(posted.location).toBe('/console');
    expect(jarOf(flow.cookieHeader()).gatehouse_session).toBeDefined();
  });
});

describe('SSO of a user with a factor', () => {
  it('lands on the challenge page with no session, then the code signs in', async () => {
    const email = `sso-${Date.now()}@mfa-pages.test`;
    idp.signInAs({ email, first_name: 'Sso', last_name: 'Person' });
    const firstLogin = async () => {
      const start = await hop(`${stack().url}/auth/sso?return_to=%2Flanding`);
      const atProvider = await hop(start.location as string, start.cookies);
      return hop(atProvider.location as string, start.cookies);
    };
    const first = await firstLogin();
    expect(first.cookies.some((c) => c.startsWith('gatehouse_session='))).toBe(true);
    const id = (await deps().store.findLogin(loginKey(email)))?.userId;
    const user = id ? await deps().store.getUser(id) : null;
    if (!user) throw new Error('no SSO user');
    const totp = await confirmedTotp(deps(), user);
    const confirmedAt = Date.now();

    // A new SSO token (the test provider's differ by their iat second; a replay is refused).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const held = await firstLogin();
    expect(held.status, held.body).toBe(302);
    expect(held.location).toBe('/sign-in/mfa?return_to=%2Flanding');
    expect(held.cookies.some((c) => c.startsWith('gatehouse_session='))).toBe(false);
    const mfa = held.cookies.find((c) => c.startsWith('gatehouse_mfa='));
    expect(mfa).toContain('HttpOnly');

    const page = await hop(`${stack().url}${held.location}`, [mfa as string]);
    expect(page.status).toBe(200);
    const csrfCookie = page.cookies.find((c) => c.startsWith('gatehouse_csrf=')) as string;
    const csrf = /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const done = await fetch(`${stack().url}/sign-in/mfa`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: [mfa, csrfCookie].map((c) => (c as string).split(';')[0]).join('; '),
        origin: stack().url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        csrf,
        return_to: '/landing',
        code: freshCode(totp.secret, confirmedAt),
      }).toString(),
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/landing');
    const session = done.headers
      .getSetCookie()
      .find((c) => c.startsWith('gatehouse_session='))
      ?.split(';')[0]
      ?.slice('gatehouse_session='.length);
    expect((await browserSessionUser(deps(), session))?.user.email).toBe(email);
  });
});

describe('an account link of an admin with a factor, in a PKCE hand-off', () => {
  it('asks for the factor after the password, and only then hands the app its code', async () => {
    const admin = { email: 'lead@mfa-pages.test', password: 'mfa pages lead passphrase' };
    const ownerToken = await signIn(OWNER.email, OWNER.password);
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { ...admin, role: 'admin' },
    });
    expect(made.status, made.text).toBe(201);
    const user = await deps().store.getUser(made.body.user.id);
    if (!user) throw new Error('no admin');
    const totp = await confirmedTotp(deps(), user);
    const confirmedAt = Date.now();
    const spa = await registerClient(ownerToken, {
      ...firstPartyApp('spa', `${APP}/callback`),
      grant_types: ['authorization_code'],
    });
    const { verifier, challenge } = pkcePair();
    const flow = browserFlow(() => stack().url);
    await flow.request('GET', ssoCodeStart(`${APP}/callback`, challenge, spa.client_id));
    const jwt = await idp.signWithKey('ES256', {
      email: admin.email,
      email_verified: true,
      sub: 'lead-at-idp',
      exp: Math.round(Date.now() / 1000) + 300,
    });
    const landed = await flow.request(
      'GET',
      `/auth/sso?jwt=${encodeURIComponent(jwt)}&return_to=${encodeURIComponent(`${APP}/callback`)}`,
    );
    expect(landed.location).toBe('/link-account');
    const shown = await flow.request('GET', '/link-account');
    const linked = await flow.request('POST', '/link-account', {
      csrf: flow.hidden(shown.text, 'csrf'),
      password: admin.password,
    });
    expect(linked.status, linked.text).toBe(303);
    const challengeUrl = new URL(linked.location as string, stack().url);
    expect(challengeUrl.pathname).toBe('/sign-in/mfa');
    expect(challengeUrl.searchParams.get('client_id')).toBe(spa.client_id);
    expect(jarOf(flow.cookieHeader()).gatehouse_session).toBeUndefined();

    const page = await flow.request('GET', `${challengeUrl.pathname}${challengeUrl.search}`);
    expect(page.status, page.text).toBe(200);
    const done = await flow.request('POST', '/sign-in/mfa', {
      csrf: flow.hidden(page.text, 'csrf'),
      return_to: flow.hidden(page.text, 'return_to'),
      code_challenge: flow.hidden(page.text, 'code_challenge'),
      client_id: flow.hidden(page.text, 'client_id'),
      code: freshCode(totp.secret, confirmedAt),
    });
    expect(done.status, done.text).toBe(303);
    const back = new URL(done.location as string);
    expect(`${back.origin}${back.pathname}`).toBe(`${APP}/callback`);
    const tokens = await tokenEndpoint({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') as string,
      client_id: spa.client_id,
      redirect_uri: `${APP}/callback`,
      code_verifier: verifier,
    });
    expect(tokens.status, tokens.text).toBe(200);
  });
});

describe('the authorization endpoint with a factor', () => {
  it('finishes a prompt=login sign-in with the factor, and only then gives the client its code', async () => {
    const { email, totp, confirmedAt } = await member();
    if (!totp) throw new Error('no factor');
    const ownerToken = await signIn(OWNER.email, OWNER.password);
    const rp = await registerClient(ownerToken, firstPartyApp('rp', `${APP}/rp`));
    const flow = browserFlow(() => stack().url);
    const { authorized } = await flow.authorize({
      client_id: rp.client_id,
      redirect_uri: `${APP}/rp`,
      scope: 'openid',
      prompt: 'login',
    });
    expect(authorized.location).toMatch(/^\/sign-in\?return_to=%2Foauth%2Fauthorize%3F/);
    const form = await flow.request('GET', authorized.location as string);
    const posted = await flow.request('POST', '/sign-in', {
      csrf: flow.hidden(form.text, 'csrf'),
      return_to: flow.hidden(form.text, 'return_to'),
      login: email,
      password: PASSWORD,
    });
    expect(posted.location).toMatch(/^\/sign-in\/mfa\?return_to=%2Foauth%2Fauthorize%3F/);
    // Before the factor, the authorization request still finds no one signed in.
    const early = await flow.request('GET', flow.hidden(form.text, 'return_to'));
    expect(early.location).toMatch(/^\/sign-in\?/);
    const challenge = await flow.request('GET', posted.location as string);
    const done = await flow.request('POST', '/sign-in/mfa', {
      csrf: flow.hidden(challenge.text, 'csrf'),
      return_to: flow.hidden(challenge.text, 'return_to'),
      code: freshCode(totp.secret, confirmedAt),
    });
    expect(done.status, done.text).toBe(303);
    expect(done.location).toMatch(/^\/oauth\/authorize\?/);
    const finished = await flow.request('GET', done.location as string);
    expect(finished.status, finished.text).toBe(302);
    const back = new URL(finished.location as string);
    expect(`${back.origin}${back.pathname}`).toBe(`${APP}/rp`);
    expect(back.searchParams.get('code')).toMatch(/^ac_/);
  });
});

describe('the console’s factors', () => {
  it('enrols an authenticator app with a server-rendered QR code, shows the recovery codes once, removes it with a code', async () => {
    const { email } = await member(false);
    const { flow } = await toChallenge(email);
    const start = await flow.request('GET', '/console/mfa/totp');
    expect(start.status).toBe(200);
    const enrolled = await flow.request('POST', '/console/mfa/totp', {
      csrf: flow.hidden(start.text, 'csrf'),
      once: flow.hidden(start.text, 'once'),
      name: 'Work phone',
      proof: '',
    });
    expect(enrolled.status, enrolled.text).toBe(201);
    expect(enrolled.text).toMatch(
      /<figure class="qr"><svg [^>]*aria-label="QR code for your authenticator app" xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(enrolled.text)?.[1] ?? '';
    expect(secret).toHaveLength(32);
    const action = /action="(\/console\/mfa\/totp\/[^/]+\/confirm)"/.exec(enrolled.text)?.[1] ?? '';
    const confirmedAt = Date.now();
    const confirmed = await flow.request('POST', action, {
      csrf: flow.hidden(enrolled.text, 'csrf'),
      code: totpCodeAt(secret, confirmedAt),
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    const codes =
      /<pre id="recovery-codes">([^<]*)<\/pre>/.exec(confirmed.text)?.[1]?.trim().split('\n') ?? [];
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(confirmed.text).toContain('href="data:text/plain;charset=utf-8,');
    // The account is told, as for a change through the API.
    await mail().latestTo(email, { subjectIncludes: 'factor was added' });

    const account = await flow.request('GET', '/console');
    expect(account.text).toContain('Work phone');
    const remove = /action="(\/console\/mfa\/[^/]+\/remove)"/.exec(account.text)?.[1] ?? '';
    const wrong = await flow.request('POST', remove, {
      csrf: flow.hidden(account.text, 'csrf'),
      proof: 'not my password at all',
    });
    expect(wrong.status).toBe(403);
    const removed = await flow.request('POST', remove, {
      csrf: flow.hidden(account.text, 'csrf'),
      proof: codes[1] as string,
    });
    expect(removed.status, removed.text).toBe(303);
    expect(removed.location).toBe('/console?notice=factor_removed');
    expect((await flow.request('GET', '/console')).text).not.toContain('Work phone');
    await mail().latestTo(email, { subjectIncludes: 'factor was removed' });
  });
});
