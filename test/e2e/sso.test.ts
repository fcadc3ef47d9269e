import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessTokenForSession, browserSessionUser } from '../../src/core/sessions/sessions';
import { buildDeps } from '../../src/http/composition';
import { firstPartyApp, pkcePair } from '../support/oauth';
import { type Hop, hop, ssoCodeStart, useSsoStack } from '../support/sso-stack';
import { type Identity, SSO_SECRET } from '../support/test-idp';

const OWNER = { email: 'owner@sso.test', password: 'sso owner passphrase here' };
const APP = 'https://app.example.com';

const { idp, call, signIn, stack, tokenEndpoint, registerClient } = await useSsoStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  SSO_GROUP_SYNC: '1',
  SSO_GROUP_MAPPINGS: JSON.stringify({ 'data-admins': 'admin', editors: 'editor' }),
  ALLOWED_REDIRECT_ORIGINS: APP,
  REVOCATION_CACHE_SECONDS: '0',
});

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const cookieValue = (cookies: string[], name: string) =>
  cookies
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    ?.slice(name.length + 1);

/** The whole browser round trip: Gatehouse, the provider, the callback. */
const browserSignIn = async (identity: Identity, returnTo = '/landing') => {
  idp.signInAs(identity);
  const start = await hop(`${stack().url}/auth/sso?return_to=${encodeURIComponent(returnTo)}`);
  expect(start.status, start.body).toBe(302);
  const atProvider = await hop(start.location as string, start.cookies);
  expect(atProvider.status).toBe(302);
  return hop(atProvider.location as string, start.cookies);
};

/** The session a callback's cookie holds, as the signed-in user sees it. */
const sessionUser = async (callback: Hop) => {
  const deps = buildDeps(process.env);
  const found = await browserSessionUser(deps, cookieValue(callback.cookies, 'gatehouse_session'));
  if (!found) throw new Error(`no live session in ${callback.cookies.join(' | ')}`);
  const accessToken = await accessTokenForSession(deps, found.user, found.session);
  const me = await call('GET', '/me', { token: accessToken });
  expect(me.status, me.text).toBe(200);
  return { access_token: accessToken, user: me.body.user as Record<string, unknown> };
};

const callback = (jwt: string, returnTo = '/landing') =>
  hop(
    `${stack().url}/auth/sso?jwt=${encodeURIComponent(jwt)}&return_to=${encodeURIComponent(returnTo)}`,
  );

const findUser = async (email: string) => {
  const reply = await call('GET', `/users?q=${encodeURIComponent(email)}`, { token: ownerToken });
  return (reply.body.users as { email: string; id: string }[]).find((u) => u.email === email);
};

let n = 0;
const someone = (extra: Partial<Identity> = {}): Identity => {
  n++;
  return { email: `person-${n}@idp.test`, first_name: 'Ada', last_name: `Person ${n}`, ...extra };
};

describe('JWT SSO, the full redirect flow', () => {
  it('sends the browser to the provider with return_to, then back with a session', async () => {
    const start = await hop(`${stack().url}/auth/sso?return_to=%2Fdashboard%3Fx%3D1`);
    expect(start.status).toBe(302);
    const target = new URL(start.location as string);
    expect(`${target.origin}${target.pathname}`).toBe(idp.ssoUrl);
    expect(target.searchParams.get('return_to')).toBe('/dashboard?x=1');

    const person = someone({ groups: ['editors', 'ml'], department: 'Research' });
    const landed = await browserSignIn(person, '/dashboard?x=1');
    expect(landed.status, landed.body).toBe(302);
    expect(landed.location).toBe('/dashboard?x=1');
    const session = landed.cookies.find((c) => c.startsWith('gatehouse_session='));
    expect(session).toMatch(
      /^gatehouse_session=[\w-]+\.[\w-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/,
    );
    const { user } = await sessionUser(landed);
    expect(user).toMatchObject({
      email: person.email,
      name: `Ada Person ${n}`,
      role: 'editor',
      status: 'active',
      groups: ['editors', 'ml'],
      attributes: { department: 'Research' },
    });
  });

  it('links an existing account by email, keeps an admin’s attributes, and syncs the rest', async () => {
    const person = someone();
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { email: person.email, role: 'viewer' },
    });
    expect(made.status, made.text).toBe(201);
    const edited = await call('PATCH', `/users/${made.body.user.id}`, {
      token: ownerToken,
      json: { attributes: { team: 'set by hand' } },
    });
    expect(edited.status, edited.text).toBe(200);
    const first = await browserSignIn({ ...person, team: 'from idp', office: 'Oslo' });
    const { user } = await sessionUser(first);
    expect(user.id).toBe(made.body.user.id);
    expect(user.attributes).toEqual({ team: 'set by hand', office: 'Oslo' });
    // The provider stops sending office: it goes; team stays the admin's.
    const second = await browserSignIn({ ...person, team: 'from idp', floor: '3' });
    expect((await sessionUser(second)).user.attributes).toEqual({
      team: 'set by hand',
      floor: '3',
    });
    const audit = await call('GET', `/audit?target_id=${user.id}`, { token: ownerToken });
    const actions = (audit.body.events as { action: string }[]).map((e) => e.action);
    expect(actions).toContain('user.link');
  });

  it('maps groups to roles at every login: the highest wins, a demotion applies next time', async () => {
    const person = someone({ groups: ['editors', 'data-admins', 'unmapped'] });
    const first = await browserSignIn(person);
    const { user, access_token } = await sessionUser(first);
    expect(user.role).toBe('admin');
    const demoted = await browserSignIn({ ...person, groups: ['unmapped'] });
    expect((await sessionUser(demoted)).user).toMatchObject({
      role: 'viewer',
      groups: ['unmapped'],
    });
    // The demotion ended the earlier session: its access token is refused.
    expect((await call('GET', '/me', { token: access_token })).status).toBe(401);
    const audit = await call('GET', `/audit?target_id=${user.id}`, { token: ownerToken });
    const actions = (audit.body.events as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['sso.account_create', 'sso.role_change', 'sso.groups_change']),
    );
  });

  it('never makes an owner without an explicit mapping, and keeps a disabled user out', async () => {
    const person = someone({ groups: ['owners'], role: 'owner' });
    const landed = await browserSignIn(person);
    expect((await sessionUser(landed)).user.role).toBe('viewer');
    const found = await findUser(person.email);
    await call('PATCH', `/users/${found?.id}`, { token: ownerToken, json: { status: 'disabled' } });
    // (Another token: the same claims in the same second would be a replay.)
    const refused = await browserSignIn({ ...person, attempt: 2 });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe('account_disabled');
    expect(refused.cookies.some((c) => /^gatehouse_session=[^;]/.test(c))).toBe(false);
  });

  it('accepts RS256, ES256 and EdDSA tokens from the JWKS provider', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const person = someone();
      const token = await idp.signWithKey(alg, {
        ...person,
        exp: Math.round(Date.now() / 1000) + 300,
      });
      const landed = await callback(token);
      expect(landed.status, `${alg}: ${landed.body}`).toBe(302);
      expect((await sessionUser(landed)).user.email).toBe(person.email);
    }
  });

  it('gives a single-page app on another origin a one-time code, not tokens, in the URL', async () => {
    // The SSO code hand-off is for first-party clients only.
    const spa = await registerClient(ownerToken, firstPartyApp('spa', `${APP}/callback`));
    const { verifier, challenge } = pkcePair();
    idp.signInAs(someone());
    const start = await hop(
      `${stack().url}${ssoCodeStart(`${APP}/callback`, challenge, spa.client_id)}`,
    );
    expect(start.status, start.body).toBe(302);
    const flowCookie = start.cookies.find((c) => c.startsWith('gatehouse_sso_flow='));
    expect(flowCookie).toMatch(/HttpOnly; SameSite=Lax/);
    const atProvider = await hop(start.location as string);
    const landed = await hop(atProvider.location as string, start.cookies);
    const back = new URL(landed.location as string);
    expect(`${back.origin}${back.pathname}`).toBe(`${APP}/callback`);
    const code = back.searchParams.get('code') as string;
    expect(code).toMatch(/^ac_/);
    expect(landed.location).not.toMatch(/access_token|srt_|eyJ/);
    const exchange = () =>
      tokenEndpoint({
        grant_type: 'authorization_code',
        code,
        client_id: spa.client_id,
        redirect_uri: `${APP}/callback`,
        code_verifier: verifier,
      });
    const tokens = await exchange();
    expect(tokens.status, tokens.text).toBe(200);
    expect(tokens.body.access_token).toEqual(expect.any(String));
    expect((await exchange()).body.error).toBe('invalid_grant');
  });

  it('finds the client by its exact redirect URI when the flow names none, as the contract has it', async () => {
    // The SSO code hand-off is for first-party clients only.
    const spa = await registerClient(ownerToken, {
      ...firstPartyApp('spa without id', `${APP}/sso-landing`),
      grant_types: ['authorization_code'],
    });
    const { verifier, challenge } = pkcePair();
    idp.signInAs(someone());
    const start = await hop(`${stack().url}${ssoCodeStart(`${APP}/sso-landing`, challenge)}`);
    expect(start.status, start.body).toBe(302);
    const atProvider = await hop(start.location as string);
    const landed = await hop(atProvider.location as string, start.cookies);
    const code = new URL(landed.location as string).searchParams.get('code') as string;
    const tokens = await tokenEndpoint({
      grant_type: 'authorization_code',
      code,
      client_id: spa.client_id,
      redirect_uri: `${APP}/sso-landing`,
      code_verifier: verifier,
    });
    expect(tokens.status, tokens.text).toBe(200);
    const unknown = await hop(
      `${stack().url}${ssoCodeStart(`${APP}/nobody-registered`, challenge)}`,
    );
    expect(unknown.status).toBe(400);
  });

  it('refuses a PKCE start whose return_to is not the client’s redirect URI', async () => {
    const reply = await hop(
      `${stack().url}${ssoCodeStart(`${APP}/elsewhere`, 'a'.repeat(43), 'gh_unknownunknownunknownu')}`,
    );
    expect(reply.status).toBe(400);
  });
});

describe('JWT SSO refusals create nothing and issue no session', () => {
  const now = () => Math.round(Date.now() / 1000);
  const hs256 = (
    claims: Record<string, unknown>,
    secret = SSO_SECRET,
    options: jwt.SignOptions = {},
  ) => jwt.sign(claims, secret, options);

  const cases: [string, () => Promise<string>][] = [
    [
      'a bad signature',
      async () => hs256({ email: 'bad-sig@idp.test', exp: now() + 60 }, 'another secret entirely!'),
    ],
    [
      'HS512',
      async () =>
        hs256({ email: 'hs512@idp.test', exp: now() + 60 }, SSO_SECRET, { algorithm: 'HS512' }),
    ],
    ['alg none', async () => unsigned({ email: 'none@idp.test', exp: now() + 60 })],
    [
      'an expired token',
      async () =>
        hs256({ email: 'expired@idp.test', exp: now() - 10 }, SSO_SECRET, { noTimestamp: true }),
    ],
    ['no exp', async () => hs256({ email: 'no-exp@idp.test' })],
    [
      'an iat older than SSO_MAX_AGE_SECONDS',
      async () => hs256({ email: 'old@idp.test', iat: now() - 600, exp: now() + 60 }),
    ],
    [
      'an iat in the future',
      async () => hs256({ email: 'future@idp.test', iat: now() + 600, exp: now() + 900 }),
    ],
    ['no email', async () => hs256({ first_name: 'Nobody', exp: now() + 60 })],
    ['garbage', async () => 'not.a.jwt'],
  ];

  it.each(cases)('refuses %s with 401 token_invalid', async (_label, make) => {
    const token = await make();
    const reply = await callback(token);
    expect(reply.status, reply.body).toBe(401);
    expect(JSON.parse(reply.body).error.code).toBe('token_invalid');
    expect(reply.cookies.filter((c) => /^gatehouse_session=[^;]/.test(c))).toEqual([]);
    const email = /"email":"([^"]+)"/.exec(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString(),
    )?.[1];
    if (email) expect(await findUser(email)).toBeUndefined();
  });

  it('accepts a token once: a replay is refused', async () => {
    const token = idp.signLikeMetabase(someone());
    expect((await callback(token)).status).toBe(302);
    const replay = await callback(token);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatch(/already been used/);
  });

  it('keeps SSO tokens and access tokens apart', async () => {
    const sso = idp.signLikeMetabase(someone());
    expect((await call('GET', '/me', { token: sso })).status).toBe(401);
    expect((await callback(ownerToken)).status).toBe(401);
  });

  it.each([
    ['protocol-relative', '//evil.example'],
    ['backslash', '/\\evil.example'],
    ['backslashes', '\\\\evil.example'],
    ['an encoded slash', '/%2F%2Fevil.example'],
    ['another origin', 'https://evil.example/x'],
    ['userinfo', `${APP}@evil.example/`],
    ['a look-alike host', 'https://app.example.com.evil.example/'],
    ['javascript:', 'javascript:alert(1)'],
    ['a control character', '/ok\r\nset-cookie:x=1'],
    ['a tab', '/\t/evil.example'],
  ])('refuses a return_to that is %s, on both legs', async (_label, returnTo) => {
    const start = await hop(`${stack().url}/auth/sso?return_to=${encodeURIComponent(returnTo)}`);
    expect(start.status, start.body).toBe(400);
    expect(JSON.parse(start.body).error.code).toBe('record_invalid');
    const person = someone();
    const back = await callback(idp.signLikeMetabase(person), returnTo);
    expect(back.status).toBe(400);
    expect(await findUser(person.email)).toBeUndefined();
  });

  it('refuses return_to given twice', async () => {
    const reply = await hop(`${stack().url}/auth/sso?return_to=/a&return_to=/b`);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatch(/more than once/);
  });

  it('allows its own origin and the allowed origins', async () => {
    for (const returnTo of [`${stack().url}/console`, `${APP}/welcome`, '/']) {
      const start = await hop(`${stack().url}/auth/sso?return_to=${encodeURIComponent(returnTo)}`);
      expect(start.status, `${returnTo}: ${start.body}`).toBe(302);
    }
  });
});

const unsigned = (claims: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
