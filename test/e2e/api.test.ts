import { JwtVerifier } from 'aws-jwt-verify';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

const OWNER = {
  email: 'owner@gatehouse.test',
  username: 'boss',
  password: 'e2e owner passphrase 42',
};

const { stack, call } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_USERNAME: OWNER.username,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  LOCKOUT_THRESHOLD: '3',
});
const base = () => stack().url;

const signIn = (login = OWNER.email, password = OWNER.password) =>
  call('POST', '/auth/sign-in', { json: { login, password } });

const expectError = (
  result: { status: number; body: unknown; text: string },
  status: number,
  code: string,
) => {
  expect(result.status).toBe(status);
  expect(result.body).toEqual({ error: { code, message: expect.any(String) } });
  expect(result.text).not.toMatch(/\bat .+\.(ts|js):\d+/); // never a stack trace
};

describe('the newcomer flow over HTTP on DynamoDB Local', () => {
  it('signs in as the owner, calls /me, refreshes, signs out, and the old refresh token is refused', async () => {
    expect(stack().owner).toMatchObject({
      created: true,
      user: { email: OWNER.email, role: 'owner' },
    });

    const signedIn = await signIn();
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
    expect(signedIn.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      user: { email: OWNER.email, role: 'owner' },
    });
    expect(signedIn.body.user).not.toHaveProperty('passwordHash');

    const me = await call('GET', '/me', { token: signedIn.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({
      id: signedIn.body.user.id,
      username: OWNER.username,
      status: 'active',
      type: 'human',
    });
    expect(me.body.user.last_sign_in_at).not.toBeNull();

    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: signedIn.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(signedIn.body.refresh_token);
    expect((await call('GET', '/me', { token: refreshed.body.access_token })).status).toBe(200);

    const signOut = await call('POST', '/auth/sign-out', {
      json: { refresh_token: refreshed.body.refresh_token },
    });
    expect(signOut.status).toBe(204);
    expectError(
      await call('POST', '/auth/refresh', {
        json: { refresh_token: refreshed.body.refresh_token },
      }),
      401,
      'token_invalid',
    );
  });

  it('signs in by username too', async () => {
    expect((await signIn('BOSS')).status).toBe(200);
  });

  it('issues access tokens any strict JOSE verifier accepts against the published JWKS', async () => {
    const { body } = await signIn();
    const jwks = createRemoteJWKSet(new URL(`${base()}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(body.access_token, jwks, {
      issuer: base(),
      audience: base(),
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
    });
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload).toMatchObject({
      sub: body.user.id,
      role: 'owner',
      username: OWNER.username,
      email: OWNER.email,
      user_type: 'human',
      groups: [],
    });
    expect(String(payload.scope).split(' ')).toContain('clients:write');
  });

  it("verifies with aws-jwt-verify's generic JwtVerifier", async () => {
    const { body } = await signIn();
    const jwksUri = `${base()}/.well-known/jwks.json`;
    const verifier = JwtVerifier.create({ issuer: base(), audience: base(), jwksUri });
    // It fetches over https only: hand it the JWKS the service publishes.
    verifier.cacheJwks((await call('GET', '/.well-known/jwks.json')).body);
    const payload = await verifier.verify(body.access_token);
    expect(payload.sub).toBe(body.user.id);
  });

  it('publishes discovery and OpenAPI', async () => {
    const discovery = await call('GET', '/.well-known/openid-configuration');
    expect(discovery.body).toMatchObject({
      issuer: base(),
      jwks_uri: `${base()}/.well-known/jwks.json`,
    });
    const openapi = await call('GET', '/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/auth/sign-in',
        '/auth/refresh',
        '/auth/sign-out',
        '/me',
        '/.well-known/jwks.json',
      ]),
    );
    const listUsers = openapi.body.paths['/users'].get;
    expect(listUsers.parameters.map((p: { name: string }) => p.name)).toEqual([
      'limit',
      'cursor',
      'q',
      'role',
      'status',
    ]);
    expect(listUsers.security).toEqual([{ bearer: ['users:read'] }]);
    expect(openapi.body.paths['/users/{id}'].patch.parameters[0]).toMatchObject({
      name: 'id',
      in: 'path',
    });
    expect(
      openapi.body.paths['/auth/sign-in'].post.requestBody.content['application/json'].schema,
    ).toMatchObject({
      required: ['login', 'password'],
      additionalProperties: false,
    });
  });

  it('revokes the whole session when a rotated refresh token comes back', async () => {
    const first = await signIn();
    const second = await call('POST', '/auth/refresh', {
      json: { refresh_token: first.body.refresh_token },
    });
    expectError(
      await call('POST', '/auth/refresh', { json: { refresh_token: first.body.refresh_token } }),
      401,
      'token_invalid',
    );
    expectError(
      await call('POST', '/auth/refresh', { json: { refresh_token: second.body.refresh_token } }),
      401,
      'token_invalid',
    );
  });

  it('signs out everywhere with a bearer and {all:true}', async () => {
    const a = await signIn();
    const b = await signIn();
    expect(
      (await call('POST', '/auth/sign-out', { json: { all: true }, token: a.body.access_token }))
        .status,
    ).toBe(204);
    for (const s of [a, b]) {
      expectError(
        await call('POST', '/auth/refresh', { json: { refresh_token: s.body.refresh_token } }),
        401,
        'token_invalid',
      );
    }
    expectError(
      await call('POST', '/auth/sign-out', { json: { all: true } }),
      401,
      'token_invalid',
    );
  });
});

describe('sign-in refusals', () => {
  it('answers an unknown login and a wrong password the same', async () => {
    const unknown = await signIn('nobody@gatehouse.test', 'some password here');
    const wrong = await signIn('boss', 'the wrong password');
    expectError(unknown, 401, 'invalid_credentials');
    expect(wrong.body).toEqual(unknown.body);
  });

  it('locks a login after repeated failures with Retry-After, even for the right password', async () => {
    const login = 'locked-out@gatehouse.test';
    for (let i = 0; i < 3; i++)
      expectError(await signIn(login, 'wrong password'), 401, 'invalid_credentials');
    const locked = await signIn(login, 'wrong password');
    expectError(locked, 429, 'too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('bearer tokens', () => {
  it.each([
    ['no token', undefined],
    ['garbage', 'not-a-jwt'],
    [
      'a token signed by someone else',
      'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6IngifQ.eyJzdWIiOiJ4In0.c2ln',
    ],
  ])('refuses %s on /me with 401 token_invalid', async (_label, token) => {
    expectError(await call('GET', '/me', token ? { token } : {}), 401, 'token_invalid');
  });

  it('refuses a refresh token used as a bearer', async () => {
    const { body } = await signIn();
    expectError(await call('GET', '/me', { token: body.refresh_token }), 401, 'token_invalid');
  });
});

describe('bad input gets a 4xx in the contract shape and writes nothing', () => {
  it.each([
    [
      'malformed JSON',
      { body: '{"login":', headers: { 'content-type': 'application/json' } },
      400,
      'record_invalid',
    ],
    ['a wrong type', { json: { login: 5, password: 'x' } }, 400, 'record_invalid'],
    ['a missing field', { json: { login: 'boss' } }, 400, 'record_invalid'],
    [
      'an unknown field',
      { json: { login: 'boss', password: 'x', admin: true } },
      400,
      'record_invalid',
    ],
    ['an array body', { json: [] }, 400, 'record_invalid'],
    ['no body', {}, 400, 'record_invalid'],
    [
      'a form body',
      {
        body: 'login=boss&password=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      415,
      'unsupported_media_type',
    ],
    [
      'a text body',
      { body: '{}', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a body over 64 KiB',
      { json: { login: 'boss', password: 'x'.repeat(70_000) } },
      413,
      'payload_too_large',
    ],
  ] as const)('sign-in with %s', async (_label, options, status, code) => {
    expectError(await call('POST', '/auth/sign-in', options as never), status, code);
  });

  it('counts no failed attempt for a refused body (nothing is written)', async () => {
    for (let i = 0; i < 4; i++) {
      await call('POST', '/auth/sign-in', {
        json: { login: OWNER.username, password: 'wrong', extra: 1 },
      });
    }
    expect((await signIn(OWNER.username)).status).toBe(200);
  });

  it('names the field at fault', async () => {
    const result = await call('POST', '/auth/sign-in', { json: { login: 'boss', password: 12 } });
    expect(result.body.error.message).toMatch(/^password: /);
  });

  it('a wrong refresh-token body', async () => {
    expectError(
      await call('POST', '/auth/refresh', { json: { refresh_token: 42 } }),
      400,
      'record_invalid',
    );
    expectError(await call('POST', '/auth/sign-out', { json: {} }), 400, 'record_invalid');
    expectError(
      await call('POST', '/auth/sign-out', { json: { refresh_token: 'srt_x', all: true } }),
      400,
      'record_invalid',
    );
  });

  it('unknown routes are 404 and known paths with the wrong method 405', async () => {
    expectError(await call('GET', '/nothing/here'), 404, 'not_found');
    const wrongMethod = await call('DELETE', '/auth/sign-in');
    expectError(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});
