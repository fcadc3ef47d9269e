import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp } from '../support/oauth';

/** CORS_ALLOWED_ORIGINS over HTTP on DynamoDB Local (contract, CORS): the local server's rules. */
const APP = 'https://app.cors.test';
const OTHER = 'https://other.cors.test';
const OWNER = { email: 'owner@cors.test', password: 'cors owner passphrase 12' };

const { stack, call, signIn, registerClient, postForm } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  CORS_ALLOWED_ORIGINS: `${APP},http://localhost:5173`,
  // A provider nobody answers for: its sign-in start is the cheap 503.
  IDENTITY_PROVIDERS: JSON.stringify([
    { id: 'down', name: 'Down', issuer: 'http://127.0.0.1:9', client_id: 'gatehouse' },
  ]),
});

const from = (origin: string, headers: Record<string, string> = {}) => ({ origin, ...headers });

const expectShared = (reply: { headers: Headers }, origin: string, what: string) => {
  expect(reply.headers.get('access-control-allow-origin'), what).toBe(origin);
  expect(reply.headers.get('vary'), what).toMatch(/Origin/);
  expect(reply.headers.get('access-control-expose-headers'), what).toBe(
    'Retry-After, WWW-Authenticate',
  );
  expect(reply.headers.get('access-control-allow-credentials'), what).toBeNull();
};

const preflight = (path: string, origin: string, method = 'GET') =>
  fetch(`${stack().url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS_ALLOWED_ORIGINS', () => {
  it('lets an allowed origin read /me, its 401, and userinfo’s 401 with WWW-Authenticate', async () => {
    const token = await signIn(OWNER.email, OWNER.password);
    const me = await call('GET', '/me', { token, headers: from(APP) });
    expect(me.status).toBe(200);
    expectShared(me, APP, '/me');
    const refused = await call('GET', '/me', { token: 'not-a-token', headers: from(APP) });
    expect(refused.status).toBe(401);
    expectShared(refused, APP, '/me 401');
    const userinfo = await call('GET', '/oauth/userinfo', {
      token: 'not-a-token',
      headers: from(APP),
    });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expectShared(userinfo, APP, '/oauth/userinfo 401');
  });

  it('shares the /users errors too: a 400, a 404', async () => {
    const token = await signIn(OWNER.email, OWNER.password);
    const bad = await call('POST', '/users', { token, json: { email: 'x' }, headers: from(APP) });
    expect(bad.status).toBe(400);
    expectShared(bad, APP, 'POST /users 400');
    const missing = await call('GET', '/users/nobody', { token, headers: from(APP) });
    expect(missing.status).toBe(404);
    expectShared(missing, APP, 'GET /users/{id} 404');
  });

  it('lets the app read a 503 and its Retry-After', async () => {
    const reply = await call('GET', '/auth/federated/down', {
      headers: from(APP, { accept: 'application/json' }),
    });
    expect(reply.status).toBe(503);
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    expectShared(reply, APP, '503');
  });

  it('shares /oauth/token and /oauth/userinfo answers, not /oauth/introspect', async () => {
    const token = await signIn(OWNER.email, OWNER.password);
    const grant = await call('POST', '/oauth/token', {
      body: 'grant_type=password&username=x&password=y',
      headers: from(APP, { 'content-type': 'application/x-www-form-urlencoded' }),
    });
    expect(grant.status).toBeGreaterThanOrEqual(400);
    expectShared(grant, APP, '/oauth/token');
    const userinfo = await call('GET', '/oauth/userinfo', { token, headers: from(APP) });
    expectShared(userinfo, APP, '/oauth/userinfo');
    const introspect = await call('POST', '/oauth/introspect', {
      body: `token=${token}`,
      headers: from(APP, { 'content-type': 'application/x-www-form-urlencoded' }),
    });
    expect(introspect.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a registered client’s redirect origin read its /oauth/revoke answer', async () => {
    const spa = 'https://spa.cors.test';
    const owner = await signIn(OWNER.email, OWNER.password);
    const client = await registerClient(owner, firstPartyApp('cors spa', `${spa}/callback`));
    const fields = { client_id: client.client_id, token: 'srt_unknown' };
    const revoked = await postForm('/oauth/revoke', fields, from(spa));
    expect(revoked.status).toBe(200);
    expectShared(revoked, spa, '/oauth/revoke');
    const other = await postForm('/oauth/revoke', fields, from(OTHER));
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('shares nothing with another origin', async () => {
    const token = await signIn(OWNER.email, OWNER.password);
    for (const reply of [
      await call('GET', '/me', { token, headers: from(OTHER) }),
      await call('GET', '/me', { token: 'nope', headers: from(OTHER) }),
    ]) {
      expect(reply.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('answers preflights: 204 with the methods and headers to an allowed origin, bare to others', async () => {
    for (const [path, methods] of [
      ['/me', 'GET, PATCH, DELETE'],
      ['/users/u1', 'GET, PATCH, DELETE'],
      ['/oauth/userinfo', 'GET, POST'],
      ['/oauth/token', 'POST'],
    ] as const) {
      const allowed = await preflight(path, APP);
      expect(allowed.status, path).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin'), path).toBe(APP);
      expect(allowed.headers.get('access-control-allow-methods'), path).toBe(methods);
      expect(allowed.headers.get('access-control-allow-headers'), path).toBe(
        'authorization, content-type, x-api-key',
      );
      expect(allowed.headers.get('access-control-allow-credentials'), path).toBeNull();
      const other = await preflight(path, OTHER);
      expect(other.status, path).toBe(204);
      expect(other.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(other.headers.get('access-control-allow-methods'), path).toBeNull();
    }
  });

  it('keeps `*` on /.well-known/*, whatever the origin', async () => {
    for (const origin of [APP, OTHER]) {
      const reply = await call('GET', '/.well-known/openid-configuration', {
        headers: from(origin),
      });
      expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('gives the hosted pages no CORS', async () => {
    const page = await fetch(`${stack().url}/sign-in`, { headers: from(APP) });
    expect(page.status).toBe(200);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    const pagePreflight = await preflight('/sign-in', APP, 'POST');
    expect(pagePreflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
