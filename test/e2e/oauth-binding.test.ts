import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { basicAuth } from '../support/oauth';

/**
 * Issue 11, findings 4, 9 (the /oauth/* parts) and 10, over HTTP on DynamoDB Local.
 * Invariants: a refresh token issued to a client is refreshed only at /oauth/token by that
 * client, authenticated as registered, and a wrong presentation changes nothing; deleting a
 * client ends every session it was issued; every /oauth/* answer is RFC 6749 JSON; the
 * authorizer and introspection judge an API token alike.
 */

const OWNER = { email: 'owner@binding.test', password: 'binding owner passphrase 1' };
const PASSWORD = 'a member passphrase 123';

const {
  call,
  signIn,
  postForm: oauth,
  registerClient,
} = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  // Revocation shows at once: what is checked is that it happens at all.
  REVOCATION_CACHE_SECONDS: '0',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

interface Client {
  client_id: string;
  client_secret: string;
  auth: { authorization: string };
}

let n = 0;
const firstPartyClient = async (): Promise<Client> => {
  n++;
  const { client_id, client_secret = '' } = await registerClient(ownerToken, {
    name: `app ${n}`,
    grant_types: ['password', 'refresh_token'],
    confidential: true,
    first_party: true,
  });
  return { client_id, client_secret, auth: { authorization: basicAuth(client_id, client_secret) } };
};

const member = async (role: string) => {
  n++;
  const email = `${role}-${n}@binding.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  return { email, id: made.body.user?.id ?? made.body.id };
};

const passwordGrant = async (client: Client, login = OWNER.email, password = OWNER.password) => {
  const reply = await oauth(
    '/oauth/token',
    { grant_type: 'password', username: login, password },
    client.auth,
  );
  expect(reply.status, reply.text).toBe(200);
  return reply.body as { access_token: string; refresh_token: string };
};

const refreshAt = (token: string, headers: Record<string, string> = {}, extra = {}) =>
  oauth('/oauth/token', { grant_type: 'refresh_token', refresh_token: token, ...extra }, headers);

describe("finding 4: a client's refresh token is bound to the client", () => {
  it('is refused at /auth/refresh, without client authentication and to another client, and those refusals spend nothing', async () => {
    const app = await firstPartyClient();
    const other = await firstPartyClient();
    const issued = await passwordGrant(app);

    const atAuth = await call('POST', '/auth/refresh', {
      json: { refresh_token: issued.refresh_token },
    });
    expect(atAuth.status, atAuth.text).toBe(401);
    expect(atAuth.body.error.code).toBe('token_invalid');

    const anonymous = await refreshAt(issued.refresh_token);
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.error).toBe('invalid_grant');

    const stranger = await refreshAt(issued.refresh_token, other.auth);
    expect(stranger.status).toBe(400);
    expect(stranger.body.error).toBe('invalid_grant');

    // Confidential: naming itself is not authenticating.
    const named = await refreshAt(issued.refresh_token, {}, { client_id: app.client_id });
    expect(named.status).toBe(401);
    expect(named.body.error).toBe('invalid_client');

    // Signing out with someone else's client token does nothing (it is the client's to revoke).
    const signOut = await call('POST', '/auth/sign-out', {
      json: { refresh_token: issued.refresh_token },
    });
    expect(signOut.status).toBe(204);

    // None of that spent the token or ended the session.
    const own = await refreshAt(issued.refresh_token, app.auth);
    expect(own.status, own.text).toBe(200);
    expect(own.body.refresh_token).toMatch(/^srt_/);
    const me = await call('GET', '/me', { token: own.body.access_token });
    expect(me.status, me.text).toBe(200);
  });

  it('leaves sign-in refresh tokens to anyone, at both endpoints', async () => {
    const app = await firstPartyClient();
    const session = await call('POST', '/auth/sign-in', {
      json: { login: OWNER.email, password: OWNER.password },
    });
    const first = await call('POST', '/auth/refresh', {
      json: { refresh_token: session.body.refresh_token },
    });
    expect(first.status, first.text).toBe(200);
    const second = await refreshAt(first.body.refresh_token);
    expect(second.status, second.text).toBe(200);
    const third = await refreshAt(second.body.refresh_token, app.auth);
    expect(third.status, third.text).toBe(200);
  });

  it('ends every session a deleted client was issued: refresh, introspection and its access tokens', async () => {
    const app = await firstPartyClient();
    const viewer = await member('viewer');
    const sessions = [await passwordGrant(app), await passwordGrant(app, viewer.email, PASSWORD)];
    for (const s of sessions) {
      expect((await call('GET', '/me', { token: s.access_token })).status).toBe(200);
    }
    const deleted = await call('DELETE', `/clients/${app.client_id}`, { token: ownerToken });
    expect(deleted.status, deleted.text).toBe(204);

    for (const s of sessions) {
      const refreshed = await refreshAt(s.refresh_token, app.auth);
      expect(refreshed.status).toBe(401);
      expect(refreshed.body.error).toBe('invalid_client');
      const atAuth = await call('POST', '/auth/refresh', {
        json: { refresh_token: s.refresh_token },
      });
      expect(atAuth.status).toBe(401);
      const state = await oauth(
        '/oauth/introspect',
        { token: s.refresh_token },
        { authorization: `Bearer ${ownerToken}` },
      );
      expect(state.body).toEqual({ active: false });
      // The access token is still within its `exp`: only the revoked session stops it.
      const me = await call('GET', '/me', { token: s.access_token });
      expect(me.status, me.text).toBe(401);
      expect(me.body.error.code).toBe('token_invalid');
    }
  });
});

describe('finding 9: every /oauth/* answer is RFC 6749 JSON', () => {
  it('answers unknown /oauth/* paths 404 and wrong methods 405 as invalid_request', async () => {
    for (const path of ['/oauth/nope', '/oauth/token/extra', '/oauth']) {
      const reply = await call('GET', path);
      expect(reply.status, path).toBe(404);
      expect(reply.body).toEqual({
        error: 'invalid_request',
        error_description: 'Unknown endpoint.',
      });
    }
    const wrongMethod = await call('GET', '/oauth/token');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const page = await call('DELETE', '/oauth/authorize');
    expect(page.status).toBe(405);
    expect(page.body.error).toBe('invalid_request');
    expect(page.headers.get('allow')).toBe('GET');
    // Outside /oauth/ the contract's shape stays.
    const other = await call('GET', '/nothing/here');
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
  });

  it('answers introspection by a bearer without tokens:introspect with 401 (RFC 7662)', async () => {
    const viewer = await member('viewer');
    const session = await call('POST', '/auth/sign-in', {
      json: { login: viewer.email, password: PASSWORD },
    });
    const reply = await oauth(
      '/oauth/introspect',
      { token: session.body.access_token },
      { authorization: `Bearer ${session.body.access_token}` },
    );
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({
      error: 'insufficient_scope',
      error_description: expect.any(String),
    });
    expect(reply.headers.get('www-authenticate')).toContain('insufficient_scope');
  });
});

describe('finding 10: the authorizer and introspection judge an API token alike', () => {
  it('agrees on live, demoted, disabled, revoked and mistyped tokens', async () => {
    const admin = await member('admin');
    const session = await call('POST', '/auth/sign-in', {
      json: { login: admin.email, password: PASSWORD },
    });
    const made = await call('POST', '/tokens', {
      token: session.body.access_token,
      json: { name: 'judged', scopes: ['profile', 'users:read'] },
    });
    expect(made.status, made.text).toBe(201);
    const secret: string = made.body.token;

    /** Whether the authorizer lets GET /users through, and what introspection says. */
    const judged = async (token: string) => {
      const users = await call('GET', '/users', { token });
      const state = await oauth(
        '/oauth/introspect',
        { token },
        { authorization: `Bearer ${ownerToken}` },
      );
      return { users: users.status, state: state.body };
    };
    const agree = async (token: string) => {
      const { users, state } = await judged(token);
      const mayList = state.active === true && state.scope.split(' ').includes('users:read');
      expect(users === 200, JSON.stringify({ users, state })).toBe(mayList);
      return { users, state };
    };

    expect((await agree(secret)).users).toBe(200);
    const mistyped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect((await agree(mistyped)).state).toEqual({ active: false });

    const demoted = await call('PATCH', `/users/${admin.id}`, {
      token: ownerToken,
      json: { role: 'viewer' },
    });
    expect(demoted.status, demoted.text).toBe(200);
    expect((await agree(secret)).users).not.toBe(200);

    const disabled = await call('PATCH', `/users/${admin.id}`, {
      token: ownerToken,
      json: { role: 'admin', status: 'disabled' },
    });
    expect(disabled.status, disabled.text).toBe(200);
    expect((await agree(secret)).state).toEqual({ active: false });

    await call('PATCH', `/users/${admin.id}`, { token: ownerToken, json: { status: 'active' } });
    await agree(secret);
    const revoked = await call('DELETE', `/tokens/${made.body.token_id}`, { token: ownerToken });
    expect(revoked.status, revoked.text).toBe(204);
    expect((await agree(secret)).state).toEqual({ active: false });
  });
});
