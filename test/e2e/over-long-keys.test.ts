import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../src/http/routes';
import { useLocalStack } from '../support/local-stack';

/**
 * Every value a client names that the service looks up (a path's id, a client_id, a code, a
 * refresh or mfa token, a cursor) can be longer than DynamoDB's 2,048-byte key: the answer is
 * the contract's 4xx, never a 500 (a WebAuthn challenge of 6,000 characters was one). Over HTTP
 * on DynamoDB Local, with the owner's token, so each lookup is reached where a route reaches it.
 */
const OWNER = { email: 'owner@long-keys.test', password: 'long keys owner passphrase' };
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  SIGN_UP_ENABLED: '1',
  REQUIRE_EMAIL_VERIFICATION: '0',
});
let owner: string;
beforeAll(async () => {
  owner = await signIn(OWNER.email, OWNER.password);
});

/** 3,000 ASCII characters, and 1,100 two-byte ones (2,200 bytes in 1,100 characters). */
const LONG = ['x'.repeat(3000), 'é'.repeat(1100)];

/** A body each route takes, so the lookup of the path's value is what answers. */
const bodyFor = (method: string, path: string): unknown => {
  if (path === '/users/{id}' && method === 'PATCH') return { name: 'Long' };
  if (path === '/users/{id}/identities') return undefined;
  if (path.startsWith('/me/mfa/')) return { password: OWNER.password, code: '123456' };
  if (path.startsWith('/auth/federated/')) return undefined;
  return method === 'GET' || method === 'DELETE' ? undefined : {};
};

/** Below 500; a refusal in the contract's shape ({error: {code}}, or RFC 6749's {error}). */
const expectNotAServerError = (
  reply: { status: number; text: string; body: unknown },
  what: string,
) => {
  expect(reply.status, `${what}: ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  if (reply.status >= 400 && reply.text.startsWith('{')) {
    const error = (reply.body as { error?: unknown }).error;
    expect(
      typeof error === 'string' || typeof (error as { code?: unknown })?.code === 'string',
      `${what}: ${reply.text.slice(0, 300)}`,
    ).toBe(true);
  }
};

const withParameters = routes.filter((route) => route.path.includes('{'));

describe('an over-long value in a path', () => {
  it.each(withParameters.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s',
    async (name, route) => {
      for (const value of LONG) {
        const path = route.path.replace(/\{[^}]+\}/g, encodeURIComponent(value));
        const query = route.path === '/users/{id}/identities' ? '?provider=corp&subject=s' : '';
        const body = bodyFor(route.method, route.path);
        const reply = await call(route.method, `${path}${query}`, {
          token: owner,
          ...(body === undefined ? {} : { json: body }),
        });
        expectNotAServerError(reply, `${name} (${value.length} characters)`);
      }
    },
  );
});

describe('an over-long value in a body, a form or a query', () => {
  const form = (fields: Record<string, string>) => ({
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

  it.each(LONG.map((value) => [value.length, value] as const))(
    '%i characters: refresh, MFA, OAuth, cursors',
    async (_length, value) => {
      const attempts: [string, Parameters<typeof call>][] = [
        ['refresh', ['POST', '/auth/refresh', { json: { refresh_token: value } }]],
        [
          'mfa verify',
          ['POST', '/auth/mfa/verify', { json: { mfa_token: value, code: '123456' } }],
        ],
        ['mfa challenge', ['POST', '/auth/mfa/challenge', { json: { mfa_token: value } }]],
        ['sign-out', ['POST', '/auth/sign-out', { json: { refresh_token: value } }]],
        [
          'token: client_credentials',
          [
            'POST',
            '/oauth/token',
            form({ grant_type: 'client_credentials', client_id: value, client_secret: value }),
          ],
        ],
        [
          'token: code',
          [
            'POST',
            '/oauth/token',
            form({
              grant_type: 'authorization_code',
              client_id: value,
              code: value,
              redirect_uri: 'https://app.example/cb',
              code_verifier: 'v'.repeat(43),
            }),
          ],
        ],
        [
          'token: refresh',
          [
            'POST',
            '/oauth/token',
            form({ grant_type: 'refresh_token', client_id: value, refresh_token: value }),
          ],
        ],
        ['revoke', ['POST', '/oauth/revoke', form({ token: value, client_id: value })]],
        ['introspect', ['POST', '/oauth/introspect', { ...form({ token: value }), token: owner }]],
        ['users cursor', ['GET', `/users?cursor=${encodeURIComponent(value)}`, { token: owner }]],
        ['audit cursor', ['GET', `/audit?cursor=${encodeURIComponent(value)}`, { token: owner }]],
        [
          'audit filter',
          ['GET', `/audit?target_id=${encodeURIComponent(value)}`, { token: owner }],
        ],
        ['sign-in', ['POST', '/auth/sign-in', { json: { login: value, password: value } }]],
      ];
      for (const [what, args] of attempts) {
        expectNotAServerError(await call(...args), `${what} (${value.length} characters)`);
      }
      // The authorize endpoint answers a browser: an HTML error page, below 500.
      const authorize = await fetch(
        `${stack().url}/oauth/authorize?${new URLSearchParams({
          response_type: 'code',
          client_id: value,
          redirect_uri: 'https://app.example/cb',
          code_challenge: 'c'.repeat(43),
          code_challenge_method: 'S256',
        })}`,
        { redirect: 'manual' },
      );
      expect(authorize.status, `authorize (${value.length} characters)`).toBeLessThan(500);
    },
  );
});

describe('an over-long value that becomes part of a key when written', () => {
  /** U+FB2C: 3 bytes, 6 after NFC; 200 of them are 1,200 bytes of a search entry's key. */
  const WIDE_NAME = '\ufb2c'.repeat(200);

  it('signs up, renames and finds a user whose name is 1,200 bytes', async () => {
    const signedUp = await call('POST', '/auth/sign-up', {
      json: { email: 'wide@long-keys.test', password: 'a wide name passphrase', name: WIDE_NAME },
    });
    expect(signedUp.status, signedUp.text).toBeLessThan(300);
    const made = await call('POST', '/users', {
      token: owner,
      json: { email: 'wide2@long-keys.test', name: WIDE_NAME, role: 'viewer' },
    });
    expect(made.status, made.text).toBe(201);
    const renamed = await call('PATCH', `/users/${made.body.user.id}`, {
      token: owner,
      json: { name: `${WIDE_NAME.slice(0, 199)}x` },
    });
    expect(renamed.status, renamed.text).toBe(200);
    const found = await call('GET', `/users?q=${encodeURIComponent('\ufb2c'.repeat(254))}`, {
      token: owner,
    });
    expect(found.status, found.text).toBeLessThan(500);
  });

  it('refuses an identity subject of 1,024 bytes with 400, not 500', async () => {
    const made = await call('POST', '/users', {
      token: owner,
      json: {
        email: 'subject@long-keys.test',
        role: 'viewer',
        identities: [{ provider: 'corp', subject: '\u00e9'.repeat(512) }],
      },
    });
    expectNotAServerError(made, 'a 1,024-byte subject');
    expect(made.status, made.text).toBe(400);
  });
});
