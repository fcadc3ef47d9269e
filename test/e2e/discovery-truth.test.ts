import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { confirmedTotp } from '../support/mfa-fixtures';
import { basicAuth, firstPartyApp, pkcePair, thirdPartyApp } from '../support/oauth';
import { totpCodeAt } from '../support/totp-codes';

/**
 * The mismatch test: it reads /.well-known/openid-configuration and exercises every item it
 * advertises against the local stack, so discovery lists nothing a relying party cannot use.
 * A key the document gains without a check here fails the first test.
 */
const OWNER = { email: 'owner@discovery.test', password: 'discovery owner passphrase 1' };
const MEMBER = {
  email: 'member@discovery.test',
  username: 'discovery-member',
  name: 'Discovery Member',
  password: 'a discovery member passphrase',
};
/** A member with a TOTP factor, for the MFA grant. */
const MFA_MEMBER = { email: 'mfa@discovery.test', password: 'a discovery mfa passphrase' };
const SPA_CB = 'https://spa.discovery.test/cb';
const THIRD_CB = 'https://third.discovery.test/cb';

const { stack, call, signIn, tokenEndpoint, postForm, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
});

// biome-ignore lint/suspicious/noExplicitAny: the document is read as any relying party reads it
let doc: any;
let ownerToken: string;
let memberId: string;
let spaId: string;
/** A confidential first-party client holding every grant, for the auth methods and grants. */
let backend: { id: string; secret: string };
/** MFA_MEMBER's TOTP secret. */
let mfaSecret: string;

/**
 * Every key the document may hold: each has a check below. The ID token algorithms,
 * `end_session_endpoint` and prompt=login are checked with the issue-14 lanes that build them
 * (id-tokens, authorize).
 */
const EXERCISED = [
  'issuer',
  'jwks_uri',
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'end_session_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'response_types_supported',
  'response_modes_supported',
  'grant_types_supported',
  'code_challenge_methods_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
  'token_endpoint_auth_methods_supported',
  'scopes_supported',
  'claims_supported',
  'prompt_values_supported',
  'claims_parameter_supported',
  'request_parameter_supported',
  'request_uri_parameter_supported',
];

/** Claims only an ID token carries; every other listed claim is a user claim of userinfo. */
const ID_TOKEN_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'azp', 'amr'];

/** The path of an advertised endpoint, which must be this issuer's. */
const pathOf = (endpoint: string) => {
  expect(endpoint.startsWith(`${doc.issuer}/`), endpoint).toBe(true);
  return new URL(endpoint).pathname;
};

beforeAll(async () => {
  const reply = await call('GET', '/.well-known/openid-configuration');
  expect(reply.status).toBe(200);
  doc = reply.body;
  ownerToken = await signIn(OWNER.email, OWNER.password);
  const member = await call('POST', '/users', {
    token: ownerToken,
    json: {
      email: MEMBER.email,
      username: MEMBER.username,
      name: MEMBER.name,
      role: 'viewer',
      password: MEMBER.password,
    },
  });
  expect(member.status, member.text).toBe(201);
  memberId = member.body.user.id;
  spaId = (await registerClient(ownerToken, firstPartyApp('Discovery SPA', SPA_CB))).client_id;
  const registered = await registerClient(ownerToken, {
    name: 'Discovery backend',
    grant_types: ['password', 'refresh_token', 'client_credentials'],
    confidential: true,
    first_party: true,
  });
  backend = { id: registered.client_id, secret: registered.client_secret as string };
  const mfaMember = await call('POST', '/users', {
    token: ownerToken,
    json: { email: MFA_MEMBER.email, role: 'viewer', password: MFA_MEMBER.password },
  });
  expect(mfaMember.status, mfaMember.text).toBe(201);
  // Enrolled with the core, as /me/mfa does.
  const deps = buildDeps(process.env);
  const user = (await deps.store.getUser(mfaMember.body.user.id)) as UserRecord;
  mfaSecret = (await confirmedTotp(deps, user)).secret;
});

/** The member signs in on the hosted page and authorizes `clientId`; the redirect is read. */
const authorizeAsMember = async (
  clientId: string,
  redirectUri: string,
  extra: Record<string, string> = {},
) => {
  const browser = browserFlow(() => stack().url);
  await browser.signIn(MEMBER.email, MEMBER.password);
  const { verifier, authorized } = await browser.authorize({
    client_id: clientId,
    redirect_uri: redirectUri,
    ...extra,
  });
  return { browser, verifier, authorized };
};

/** The whole code flow for the first-party SPA (public: PKCE S256, no client secret). */
const spaCodeFlow = async (scope = 'openid email profile', extra: Record<string, string> = {}) => {
  const { verifier, authorized } = await authorizeAsMember(spaId, SPA_CB, {
    scope,
    state: 'st-1',
    ...extra,
  });
  expect(authorized.status, authorized.text).toBe(302);
  const landed = new URL(authorized.location as string);
  const code = landed.searchParams.get('code') as string;
  const exchanged = await tokenEndpoint({
    grant_type: 'authorization_code',
    code,
    redirect_uri: SPA_CB,
    client_id: spaId,
    code_verifier: verifier,
  });
  expect(exchanged.status, exchanged.text).toBe(200);
  return { landed, tokens: exchanged.body };
};

const userinfoWith = async (accessToken: string) => {
  const reply = await call('GET', pathOf(doc.userinfo_endpoint), { token: accessToken });
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
};

describe('discovery tells the truth: what is built', () => {
  it('lists nothing this test does not exercise', () => {
    expect(Object.keys(doc).sort()).toEqual([...EXERCISED].sort());
  });

  it('names this issuer, the iss of its tokens, and every endpoint under it', async () => {
    expect(doc.issuer).toBe(stack().url);
    const { tokens } = await spaCodeFlow('openid');
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(doc.jwks_uri)),
      { issuer: doc.issuer, typ: 'at+jwt' },
    );
    expect(payload.sub).toBe(memberId);
    for (const key of EXERCISED.filter((name) => name.endsWith('_endpoint'))) {
      pathOf(doc[key]);
    }
  });

  it('publishes the JWKS at jwks_uri: public keys only, each with kid and alg', async () => {
    const jwks = await call('GET', pathOf(doc.jwks_uri));
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
    for (const key of jwks.body.keys) {
      expect(key.kid).toBeTruthy();
      expect(key.alg).toBeTruthy();
      expect(key).not.toHaveProperty('d');
    }
  });

  it('answers each response type in each response mode: code, in the query', async () => {
    expect(doc.response_types_supported).toEqual(['code']);
    expect(doc.response_modes_supported).toEqual(['query']);
    const { landed } = await spaCodeFlow();
    expect(`${landed.origin}${landed.pathname}`).toBe(SPA_CB);
    expect(landed.searchParams.get('code')).toBeTruthy();
    expect(landed.searchParams.get('state')).toBe('st-1');
    expect(landed.hash).toBe('');
    // What is not listed is refused: no implicit tokens.
    const { authorized } = await authorizeAsMember(spaId, SPA_CB, {
      response_type: 'token',
      state: 'st-2',
    });
    const refused = new URL(authorized.location as string);
    expect(refused.searchParams.get('error')).toBe('unsupported_response_type');
    expect(refused.searchParams.get('state')).toBe('st-2');
  });

  it('takes each listed PKCE method (S256) and refuses plain', async () => {
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    await spaCodeFlow('openid');
    const browser = browserFlow(() => stack().url);
    await browser.signIn(MEMBER.email, MEMBER.password);
    const { verifier } = pkcePair();
    const plain = await browser.request(
      'GET',
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: spaId,
        redirect_uri: SPA_CB,
        state: 'st-plain',
        code_challenge: verifier,
        code_challenge_method: 'plain',
      })}`,
    );
    const refused = new URL(plain.location as string);
    expect(refused.searchParams.get('error')).toBe('invalid_request');
    expect(refused.searchParams.get('code')).toBeNull();
  });

  it('grants every listed grant type', async () => {
    const basic = { authorization: basicAuth(backend.id, backend.secret) };
    const grants: Record<string, () => Promise<{ status: number; text: string }>> = {
      authorization_code: async () => ({ status: 200, text: (await spaCodeFlow()).landed.href }),
      refresh_token: async () => {
        const { tokens } = await spaCodeFlow();
        return tokenEndpoint({
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
          client_id: spaId,
        });
      },
      client_credentials: () => tokenEndpoint({ grant_type: 'client_credentials' }, basic),
      password: () =>
        tokenEndpoint(
          { grant_type: 'password', username: MEMBER.email, password: MEMBER.password },
          basic,
        ),
      // The password grant of a user with a factor answers mfa_required; this grant finishes it.
      'urn:gatehouse:grant-type:mfa': async () => {
        const first = await tokenEndpoint(
          { grant_type: 'password', username: MFA_MEMBER.email, password: MFA_MEMBER.password },
          basic,
        );
        expect(first.status, first.text).toBe(403);
        return tokenEndpoint(
          {
            grant_type: 'urn:gatehouse:grant-type:mfa',
            mfa_token: first.body.mfa_token,
            // The step after the confirming one: never a replay, within the drift.
            code: totpCodeAt(mfaSecret, Date.now() + 30_000),
          },
          basic,
        );
      },
    };
    for (const grant of doc.grant_types_supported as string[]) {
      const check = grants[grant];
      expect(check, `a check for ${grant}`).toBeDefined();
      const reply = await check?.();
      expect(reply?.status, `${grant}: ${reply?.text}`).toBe(200);
    }
  });

  it('authenticates clients by every listed method', async () => {
    const methods: Record<string, () => Promise<{ status: number; text: string }>> = {
      client_secret_basic: () =>
        tokenEndpoint(
          { grant_type: 'client_credentials' },
          { authorization: basicAuth(backend.id, backend.secret) },
        ),
      client_secret_post: () =>
        tokenEndpoint({
          grant_type: 'client_credentials',
          client_id: backend.id,
          client_secret: backend.secret,
        }),
      // A public client names itself and proves the code with its PKCE verifier.
      none: async () => ({ status: 200, text: (await spaCodeFlow('openid')).landed.href }),
    };
    for (const method of doc.token_endpoint_auth_methods_supported as string[]) {
      const check = methods[method];
      expect(check, `a check for ${method}`).toBeDefined();
      const reply = await check?.();
      expect(reply?.status, `${method}: ${reply?.text}`).toBe(200);
    }
    // A wrong secret by either method is refused.
    const wrong = await tokenEndpoint({
      grant_type: 'client_credentials',
      client_id: backend.id,
      client_secret: 'wrong',
    });
    expect(wrong.body.error).toBe('invalid_client');
  });

  it('grants every listed scope, the OpenID ones among them', async () => {
    const listed = doc.scopes_supported as string[];
    expect(listed).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
    );
    const granted = await tokenEndpoint(
      {
        grant_type: 'password',
        username: OWNER.email,
        password: OWNER.password,
        scope: listed.join(' '),
      },
      { authorization: basicAuth(backend.id, backend.secret) },
    );
    expect(granted.status, granted.text).toBe(200);
    expect((granted.body.scope as string).split(' ').sort()).toEqual([...listed].sort());
  });

  it('answers userinfo at userinfo_endpoint with every listed user claim', async () => {
    const { tokens } = await spaCodeFlow('openid email profile');
    const claims = await userinfoWith(tokens.access_token);
    const userClaims = (doc.claims_supported as string[]).filter(
      (claim) => !ID_TOKEN_CLAIMS.includes(claim),
    );
    expect(userClaims).toEqual(expect.arrayContaining(['sub', 'email', 'name']));
    for (const claim of userClaims) expect(claims, claim).toHaveProperty(claim);
    expect(claims.sub).toBe(memberId);
  });

  it('gives public subject identifiers: the same sub to every client', async () => {
    expect(doc.subject_types_supported).toEqual(['public']);
    const viaSpa = await userinfoWith((await spaCodeFlow('openid')).tokens.access_token);
    const viaBackend = await tokenEndpoint(
      {
        grant_type: 'password',
        username: MEMBER.email,
        password: MEMBER.password,
        scope: 'openid',
      },
      { authorization: basicAuth(backend.id, backend.secret) },
    );
    expect((await userinfoWith(viaBackend.body.access_token)).sub).toBe(viaSpa.sub);
  });

  it('introspects at introspection_endpoint and revokes at revocation_endpoint', async () => {
    const { tokens } = await spaCodeFlow('openid');
    const basic = { authorization: basicAuth(backend.id, backend.secret) };
    const introspect = () =>
      postForm(pathOf(doc.introspection_endpoint), { token: tokens.refresh_token }, basic);
    expect((await introspect()).body).toMatchObject({ active: true, sub: memberId });
    const revoked = await postForm(pathOf(doc.revocation_endpoint), {
      token: tokens.refresh_token,
      client_id: spaId,
    });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await introspect()).body).toEqual({ active: false });
  });

  it('answers prompt=none without a page and prompt=consent with the consent page', async () => {
    const checked = ['none', 'consent'];
    expect(doc.prompt_values_supported).toEqual(expect.arrayContaining(checked));
    const signedOut = browserFlow(() => stack().url);
    const { authorized: none } = await signedOut.authorize({
      client_id: spaId,
      redirect_uri: SPA_CB,
      state: 'st-none',
      prompt: 'none',
    });
    const back = new URL(none.location as string);
    expect(back.searchParams.get('error')).toBe('login_required');
    expect(back.searchParams.get('state')).toBe('st-none');
    const third = await registerClient(ownerToken, thirdPartyApp('Discovery third', THIRD_CB));
    const first = await authorizeAsMember(third.client_id, THIRD_CB, { scope: 'openid' });
    await first.browser.consent(first.authorized.location as string, 'allow');
    const again = await first.browser.authorize({
      client_id: third.client_id,
      redirect_uri: THIRD_CB,
      scope: 'openid',
      prompt: 'consent',
    });
    expect(again.authorized.location).toMatch(/^\/consent\?request=/);
  });

  it('says false for the claims, request and request_uri parameters, which are not built', () => {
    expect(doc.claims_parameter_supported).toBe(false);
    expect(doc.request_parameter_supported).toBe(false);
    expect(doc.request_uri_parameter_supported).toBe(false);
  });
});

/**
 * Items the other lanes of issue 14 build: ID tokens and their algorithms (id-tokens lane),
 * prompt=login and RP-initiated logout (authorize lane). They pass once those are merged.
 */
describe('discovery tells the truth: what the id-tokens and authorize lanes build', () => {
  it('signs ID tokens with each listed algorithm, each verified against jwks_uri', async () => {
    const jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
    for (const alg of doc.id_token_signing_alg_values_supported as string[]) {
      const cb = `https://alg-${alg.toLowerCase()}.discovery.test/cb`;
      const client = await registerClient(ownerToken, {
        ...firstPartyApp(`ID tokens ${alg}`, cb),
        id_token_signed_response_alg: alg,
      });
      const { verifier, authorized } = await authorizeAsMember(client.client_id, cb, {
        scope: 'openid',
        nonce: `n-${alg}`,
      });
      const code = new URL(authorized.location as string).searchParams.get('code') as string;
      const tokens = await tokenEndpoint({
        grant_type: 'authorization_code',
        code,
        redirect_uri: cb,
        client_id: client.client_id,
        code_verifier: verifier,
      });
      expect(tokens.status, tokens.text).toBe(200);
      expect(decodeProtectedHeader(tokens.body.id_token).alg).toBe(alg);
      const { payload } = await jwtVerify(tokens.body.id_token, jwks, {
        issuer: doc.issuer,
        audience: client.client_id,
        algorithms: [alg],
      });
      expect(payload.nonce).toBe(`n-${alg}`);
    }
    // RS256 is the default: a client that registered no algorithm gets it.
    const { tokens } = await spaCodeFlow('openid');
    expect(decodeProtectedHeader(tokens.id_token).alg).toBe('RS256');
  });

  it('never takes an ID token as an access token at userinfo_endpoint', async () => {
    const { tokens } = await spaCodeFlow('openid email', { nonce: 'n-bearer' });
    expect(tokens.id_token).toBeTruthy();
    const reply = await call('GET', pathOf(doc.userinfo_endpoint), { token: tokens.id_token });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('shows every listed claim in the ID token or in userinfo', async () => {
    const { tokens } = await spaCodeFlow('openid email profile', { nonce: 'n-claims' });
    const { payload } = await jwtVerify(
      tokens.id_token,
      createRemoteJWKSet(new URL(doc.jwks_uri)),
      {
        issuer: doc.issuer,
        audience: spaId,
      },
    );
    const claims = { ...(await userinfoWith(tokens.access_token)), ...payload };
    for (const claim of doc.claims_supported as string[])
      expect(claims, claim).toHaveProperty(claim);
  });

  it('answers prompt=login with a fresh sign-in, never a code', async () => {
    expect(doc.prompt_values_supported).toEqual(['none', 'login', 'consent']);
    const { authorized } = await authorizeAsMember(spaId, SPA_CB, { prompt: 'login' });
    expect(authorized.status).toBeGreaterThanOrEqual(300);
    expect(authorized.location).toMatch(/^\/sign-in/);
  });

  it('ends the session at end_session_endpoint (GET and POST) and redirects only where registered', async () => {
    const loggedOut = 'https://spa.discovery.test/logged-out';
    const client = await registerClient(ownerToken, {
      ...firstPartyApp('Discovery logout', SPA_CB),
      post_logout_redirect_uris: [loggedOut],
    });
    const path = pathOf(doc.end_session_endpoint);
    const { browser, verifier, authorized } = await authorizeAsMember(client.client_id, SPA_CB, {
      scope: 'openid',
    });
    const code = new URL(authorized.location as string).searchParams.get('code') as string;
    const tokens = await tokenEndpoint({
      grant_type: 'authorization_code',
      code,
      redirect_uri: SPA_CB,
      client_id: client.client_id,
      code_verifier: verifier,
    });
    const params = {
      client_id: client.client_id,
      post_logout_redirect_uri: loggedOut,
      state: 'st-out',
    };
    // No hint: a confirmation page first; an unregistered redirect: a page, never a redirect.
    const confirm = await browser.request('GET', `${path}?${new URLSearchParams(params)}`);
    expect(confirm.status).toBe(200);
    const stranger = await browser.request(
      'GET',
      `${path}?${new URLSearchParams({ ...params, post_logout_redirect_uri: 'https://evil.test/' })}`,
    );
    expect(stranger.location).toBeNull();
    const ended = await browser.request(
      'GET',
      `${path}?${new URLSearchParams({ ...params, id_token_hint: tokens.body.id_token })}`,
    );
    expect(ended.status).toBe(302);
    const back = new URL(ended.location as string);
    expect(`${back.origin}${back.pathname}`).toBe(loggedOut);
    expect(back.searchParams.get('state')).toBe('st-out');
    // POST is served too (an RP's form post), whatever it then asks of the browser.
    const posted = await browser.request('POST', path, params);
    expect([404, 405]).not.toContain(posted.status);
  });
});
