import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

const OWNER = { email: 'owner@oauth.test', password: 'oauth owner passphrase 1' };
const PASSWORD = 'a member passphrase 123';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const form = (token: string, fields: Record<string, string>, path: string) =>
  call('POST', path, {
    token,
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
const introspect = (token: string, subject: string) =>
  form(token, { token: subject }, '/oauth/introspect');
const revoke = (token: string, subject: string) => form(token, { token: subject }, '/oauth/revoke');

let n = 0;
const member = async (role: string) => {
  n++;
  const email = `${role}-${n}@oauth.test`;
  await call('POST', '/users', { token: ownerToken, json: { email, role, password: PASSWORD } });
  const session = await call('POST', '/auth/sign-in', {
    json: { login: email, password: PASSWORD },
  });
  return session.body as { access_token: string; refresh_token: string; user: { id: string } };
};

describe('POST /oauth/introspect', () => {
  it('describes a live access token, refresh token and API token with the contract fields', async () => {
    const session = await member('editor');
    const access = await introspect(ownerToken, session.access_token);
    expect(access.status, access.text).toBe(200);
    expect(access.headers.get('cache-control')).toBe('no-store');
    expect(access.body).toMatchObject({
      active: true,
      sub: session.user.id,
      role: 'editor',
      token_type: 'access_token',
      user_type: 'human',
      renewable: false,
    });
    for (const field of ['username', 'email', 'scope', 'token_id', 'iss', 'iat', 'exp']) {
      expect(access.body).toHaveProperty(field);
    }
    const refresh = await introspect(ownerToken, session.refresh_token);
    expect(refresh.body).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      sub: session.user.id,
    });
    const api = await call('POST', '/tokens', {
      token: ownerToken,
      json: { name: 'i', scopes: ['profile'], renewable: true },
    });
    const apiState = await introspect(ownerToken, api.body.token);
    expect(apiState.body).toMatchObject({
      active: true,
      token_type: 'api_token',
      token_id: api.body.token_id,
      scope: 'profile',
      renewable: true,
    });
  });

  it('answers exactly {"active": false} for anything else', async () => {
    const session = await member('viewer');
    await call('POST', '/auth/sign-out', { json: { refresh_token: session.refresh_token } });
    for (const token of [
      'garbage',
      'sat_nope',
      `srt_${'A'.repeat(43)}`,
      session.refresh_token,
      session.access_token,
    ]) {
      const reply = await introspect(ownerToken, token);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ active: false });
    }
  });

  it('needs an authenticated caller with tokens:introspect, and answers errors as RFC 6749 does', async () => {
    const viewer = await member('viewer');
    const noScope = await introspect(viewer.access_token, viewer.access_token);
    // RFC 7662 §2.1: a bearer without the privilege is 401.
    expect(noScope.status).toBe(401);
    expect(noScope.body).toEqual({
      error: 'insufficient_scope',
      error_description: expect.any(String),
    });
    const anonymous = await call('POST', '/oauth/introspect', {
      body: 'token=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_token');
    const json = await call('POST', '/oauth/introspect', {
      token: ownerToken,
      json: { token: 'x' },
    });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
    const twice = await call('POST', '/oauth/introspect', {
      token: ownerToken,
      body: 'token=a&token=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(twice.status).toBe(400);
    expect(twice.body).toEqual({
      error: 'invalid_request',
      error_description: 'token: given more than once.',
    });
    const missing = await form(ownerToken, {}, '/oauth/introspect');
    expect(missing.body.error).toBe('invalid_request');
  });
});

describe('POST /oauth/revoke', () => {
  it("revokes the caller's own tokens and answers 200 for unknown ones", async () => {
    const session = await member('editor');
    expect((await revoke(session.access_token, session.refresh_token)).status).toBe(200);
    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: session.refresh_token },
    });
    expect(refreshed.status).toBe(401);
    const other = await member('editor');
    expect((await revoke(other.access_token, 'not a token at all')).status).toBe(200);
  });

  it("leaves alone what the caller neither owns nor administers, and lets owners revoke anyone's", async () => {
    const victim = await member('admin');
    const stranger = await member('editor');
    expect((await revoke(stranger.access_token, victim.refresh_token)).status).toBe(200);
    expect((await introspect(ownerToken, victim.refresh_token)).body.active).toBe(true);
    expect((await revoke(ownerToken, victim.access_token)).status).toBe(200);
    await new Promise((wait) => setTimeout(wait, 1100));
    expect((await call('GET', '/me', { token: victim.access_token })).status).toBe(401);
    expect((await introspect(ownerToken, victim.refresh_token)).body).toEqual({ active: false });
  });

  it('revokes API tokens', async () => {
    const api = await call('POST', '/tokens', { token: ownerToken, json: { name: 'r' } });
    expect((await revoke(ownerToken, api.body.token)).status).toBe(200);
    const record = await call('GET', `/tokens/${api.body.token_id}`, { token: ownerToken });
    expect(record.body.revoked_at).not.toBeNull();
  });
});

describe('OAuth clients', () => {
  const register = (token: string, json: Record<string, unknown>) =>
    call('POST', '/clients', { token, json });

  it('registers confidential clients with a secret shown once, lists and deletes them', async () => {
    const created = await register(ownerToken, {
      name: 'backend',
      grant_types: ['client_credentials'],
      confidential: true,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.client_id).toMatch(/^gh_/);
    expect(created.body.client_secret).toMatch(/^scs_/);
    const listed = await call('GET', '/clients', { token: ownerToken });
    expect(listed.body.clients.map((c: { client_id: string }) => c.client_id)).toContain(
      created.body.client_id,
    );
    expect(listed.text).not.toContain(created.body.client_secret);
    const spa = await register(ownerToken, {
      name: 'spa',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['https://app.example.com/callback', 'http://localhost:5173/cb'],
      confidential: false,
    });
    expect(spa.status, spa.text).toBe(201);
    expect(spa.body).not.toHaveProperty('client_secret');
    expect(
      (await call('DELETE', `/clients/${spa.body.client_id}`, { token: ownerToken })).status,
    ).toBe(204);
    expect(
      (await call('DELETE', `/clients/${spa.body.client_id}`, { token: ownerToken })).status,
    ).toBe(404);
  });

  it.each([
    [
      'client_credentials on a public client',
      { name: 'x', grant_types: ['client_credentials'], confidential: false },
    ],
    [
      'the password grant for a third party',
      { name: 'x', grant_types: ['password'], confidential: true },
    ],
    [
      'a code flow without redirect URIs',
      { name: 'x', grant_types: ['authorization_code'], confidential: false },
    ],
    [
      'an http redirect off localhost',
      {
        name: 'x',
        grant_types: ['authorization_code'],
        redirect_uris: ['http://evil.example.com/cb'],
        confidential: false,
      },
    ],
    ['an unknown grant', { name: 'x', grant_types: ['implicit'], confidential: false }],
  ])('refuses %s with 400', async (_label, json) => {
    const reply = await register(ownerToken, json);
    expect(reply.status, reply.text).toBe(400);
    expect(reply.body.error.code).toBe('record_invalid');
  });

  it('lets admins read clients and only owners change them', async () => {
    const admin = await member('admin');
    expect((await call('GET', '/clients', { token: admin.access_token })).status).toBe(200);
    const write = await register(admin.access_token, {
      name: 'x',
      grant_types: ['refresh_token'],
      confidential: false,
    });
    expect(write.status).toBe(403);
  });

  it('authenticate to introspection with Basic or client_secret_post', async () => {
    const created = await register(ownerToken, {
      name: 'rs',
      grant_types: ['client_credentials'],
      confidential: true,
      // A resource server: first-party, so it may introspect any token.
      first_party: true,
    });
    const { client_id: id, client_secret: secret } = created.body;
    const session = await member('viewer');
    const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString(
      'base64',
    );
    const withBasic = await call('POST', '/oauth/introspect', {
      body: new URLSearchParams({ token: session.access_token }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${basic}`,
      },
    });
    expect(withBasic.status, withBasic.text).toBe(200);
    expect(withBasic.body).toMatchObject({ active: true, sub: session.user.id });
    const withPost = await call('POST', '/oauth/introspect', {
      body: new URLSearchParams({
        token: session.refresh_token,
        client_id: id,
        client_secret: secret,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(withPost.body).toMatchObject({ active: true, token_type: 'refresh_token' });
    const wrong = await call('POST', '/oauth/introspect', {
      body: new URLSearchParams({
        token: session.access_token,
        client_id: id,
        client_secret: 'scs_wrong',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.headers.get('www-authenticate')).toContain('Basic');
    // A client owns no user's tokens: revocation answers 200 and changes nothing.
    const revoked = await call('POST', '/oauth/revoke', {
      body: new URLSearchParams({
        token: session.refresh_token,
        client_id: id,
        client_secret: secret,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(revoked.status).toBe(200);
    expect((await introspect(ownerToken, session.refresh_token)).body.active).toBe(true);
  });
});
