import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { basicAuth } from '../support/oauth';

/**
 * /oauth/userinfo (OIDC Core §5.3) over the local stack: flat claims of the granted scopes
 * from the user as stored now, RFC 6750 refusals, no API tokens, CORS as the contract says.
 */
const OWNER = { email: 'owner@userinfo.test', password: 'userinfo owner passphrase 1' };
const PASSWORD = 'a userinfo member passphrase';
const ALLOWED = 'https://allowed.userinfo.test';
const APP_ORIGIN = 'https://app.userinfo.test';

const { stack, call, signIn, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  ALLOWED_REDIRECT_ORIGINS: ALLOWED,
  REVOCATION_CACHE_SECONDS: '1',
});
let ownerToken: string;
let clientAuth: { authorization: string };
let backend: { id: string; secret: string };

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  const client = await registerClient(ownerToken, {
    name: 'Userinfo app',
    redirect_uris: [`${APP_ORIGIN}/cb`],
    grant_types: ['password', 'refresh_token'],
    confidential: true,
    first_party: true,
  });
  backend = { id: client.client_id, secret: client.client_secret as string };
  clientAuth = { authorization: basicAuth(backend.id, backend.secret) };
});

let n = 0;
/** A new viewer with a name and username, and an access token granted `scope`. */
const member = async (scope: string) => {
  n++;
  const email = `member-${n}@userinfo.test`;
  const created = await call('POST', '/users', {
    token: ownerToken,
    json: {
      email,
      username: `member-${n}`,
      name: `Member ${n}`,
      role: 'viewer',
      password: PASSWORD,
    },
  });
  expect(created.status, created.text).toBe(201);
  const granted = await tokenEndpoint(
    { grant_type: 'password', username: email, password: PASSWORD, scope },
    clientAuth,
  );
  expect(granted.status, granted.text).toBe(200);
  return { user: created.body.user, accessToken: granted.body.access_token as string };
};

const userinfo = (method: 'GET' | 'POST', token?: string, headers: Record<string, string> = {}) =>
  call(method, '/oauth/userinfo', { headers, ...(token ? { token } : {}) });

describe('GET and POST /oauth/userinfo', () => {
  it('answers sub and the claims of openid email profile as a flat object, never cached', async () => {
    const { user, accessToken } = await member('openid email profile');
    const reply = await userinfo('GET', accessToken);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.body).toEqual({
      sub: user.id,
      email: user.email,
      email_verified: user.email_verified,
      name: user.name,
      preferred_username: user.username,
      updated_at: Math.floor(Date.parse(user.updated_at) / 1000),
    });
    expect(typeof reply.body.email_verified).toBe('boolean');
  });

  it('answers the same to a bodiless POST sent with no content type', async () => {
    const { accessToken } = await member('openid email profile');
    const get = await userinfo('GET', accessToken);
    const post = await userinfo('POST', accessToken);
    expect(post.status, post.text).toBe(200);
    expect(post.body).toEqual(get.body);
  });

  it('releases only the claims of the granted scopes', async () => {
    const onlyOpenId = await member('openid');
    expect((await userinfo('GET', onlyOpenId.accessToken)).body).toEqual({
      sub: onlyOpenId.user.id,
    });
    const withEmail = await member('openid email');
    expect((await userinfo('GET', withEmail.accessToken)).body).toEqual({
      sub: withEmail.user.id,
      email: withEmail.user.email,
      email_verified: withEmail.user.email_verified,
    });
  });

  it('refuses a missing, malformed or badly signed token: 401 invalid_token with WWW-Authenticate', async () => {
    const { accessToken } = await member('openid');
    const [head, payload] = accessToken.split('.');
    const forged = `${head}.${payload}.${'A'.repeat(86)}`;
    for (const token of [undefined, 'not-a-token', forged]) {
      for (const method of ['GET', 'POST'] as const) {
        const reply = await userinfo(method, token);
        expect(reply.status, `${method} ${token}`).toBe(401);
        expect(reply.body.error).toBe('invalid_token');
        expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
        expect(reply.headers.get('cache-control')).toBe('no-store');
      }
    }
  });

  it('refuses a token granted no openid: 403 insufficient_scope with WWW-Authenticate', async () => {
    const { accessToken } = await member('profile email');
    const reply = await userinfo('GET', accessToken);
    expect(reply.status).toBe(403);
    expect(reply.body.error).toBe('insufficient_scope');
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="openid"',
    );
    // A sign-in without a client is granted the role's API scopes, never openid.
    const session = await call('POST', '/auth/sign-in', {
      json: { login: OWNER.email, password: OWNER.password },
    });
    expect((await userinfo('GET', session.body.access_token)).status).toBe(403);
  });

  it('refuses an API token, even an unscoped owner one: it is not an OpenID Connect access token', async () => {
    const made = await call('POST', '/tokens', { token: ownerToken, json: { name: 'userinfo' } });
    expect(made.status, made.text).toBe(201);
    const reply = await userinfo('GET', made.body.token);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_token');
    expect(reply.body.error_description).toMatch(/API token/);
    expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('shows the user as stored now: an email or name change at once, a role change ends the token', async () => {
    const { user, accessToken } = await member('openid email profile');
    const changed = await call('PATCH', `/users/${user.id}`, {
      token: ownerToken,
      json: { email: `renamed-${n}@userinfo.test`, name: 'Renamed Member' },
    });
    expect(changed.status, changed.text).toBe(200);
    const after = await userinfo('GET', accessToken);
    expect(after.status, after.text).toBe(200);
    expect(after.body).toMatchObject({
      sub: user.id,
      email: changed.body.user.email,
      name: 'Renamed Member',
      updated_at: Math.floor(Date.parse(changed.body.user.updated_at) / 1000),
    });
    const promoted = await call('PATCH', `/users/${user.id}`, {
      token: ownerToken,
      json: { role: 'editor' },
    });
    expect(promoted.status, promoted.text).toBe(200);
    const stale = await userinfo('GET', accessToken);
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });
});

describe('CORS on /oauth/userinfo', () => {
  const corsOf = (reply: { headers: Headers }) => ({
    origin: reply.headers.get('access-control-allow-origin'),
    vary: reply.headers.get('vary'),
    exposed: reply.headers.get('access-control-expose-headers'),
  });

  it('lets an allowed origin and the client’s redirect origin read answers, refusals included', async () => {
    const { accessToken } = await member('openid profile');
    for (const origin of [ALLOWED, APP_ORIGIN]) {
      expect(corsOf(await userinfo('GET', accessToken, { origin }))).toEqual({
        origin,
        vary: 'Origin',
        exposed: 'Retry-After, WWW-Authenticate',
      });
    }
    const refused = await userinfo('GET', 'not-a-token', { origin: ALLOWED });
    expect(refused.status).toBe(401);
    expect(corsOf(refused).origin).toBe(ALLOWED);
    const noOpenId = await member('profile');
    const forbidden = await userinfo('GET', noOpenId.accessToken, { origin: APP_ORIGIN });
    expect(forbidden.status).toBe(403);
    expect(corsOf(forbidden).origin).toBe(APP_ORIGIN);
  });

  it('shares nothing with another origin', async () => {
    const { accessToken } = await member('openid');
    const reply = await userinfo('GET', accessToken, { origin: 'https://evil.userinfo.test' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('OIDC libraries reading /oauth/userinfo through discovery', () => {
  it('answers openid-client (fetchUserInfo) and oauth4webapi (processUserInfoResponse)', async () => {
    const { user, accessToken } = await member('openid email profile');
    const issuer = new URL(stack().url);
    const config = await openid.discovery(issuer, backend.id, backend.secret, undefined, {
      execute: [openid.allowInsecureRequests],
    });
    const viaOpenIdClient = await openid.fetchUserInfo(config, accessToken, user.id);
    expect(viaOpenIdClient).toMatchObject({ sub: user.id, email: user.email, name: user.name });

    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
    const client: oauth.Client = { client_id: backend.id };
    const viaOauth4webapi = await oauth.processUserInfoResponse(
      as,
      client,
      user.id,
      await oauth.userInfoRequest(as, client, accessToken, insecure),
    );
    expect(viaOauth4webapi).toEqual(viaOpenIdClient);
    // A library checks the subject it expects: another user's sub is refused.
    await expect(openid.fetchUserInfo(config, accessToken, 'someone-else')).rejects.toThrow();
  });
});
