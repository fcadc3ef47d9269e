import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { basicAuth } from '../support/oauth';

const OWNER = { email: 'owner@cc.test', password: 'client credentials owner passphrase' };

const { call, signIn, tokenEndpoint, postForm, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '0',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

interface Registered {
  client_id: string;
  client_secret: string;
  user_id: string;
}

const registerService = async (name: string): Promise<Registered> =>
  (await registerClient(ownerToken, {
    name,
    grant_types: ['client_credentials'],
    confidential: true,
  })) as Registered;

const clientToken = (client: Registered, fields: Record<string, string> = {}) =>
  tokenEndpoint(
    { grant_type: 'client_credentials', ...fields },
    { authorization: basicAuth(client.client_id, client.client_secret) },
  );

describe('client_credentials', () => {
  it('gives a confidential client its own machine user, a viewer at first', async () => {
    const client = await registerService('nightly export');
    expect(client.user_id).toEqual(expect.any(String));
    const account = await call('GET', `/users/${client.user_id}`, { token: ownerToken });
    expect(account.body.user).toMatchObject({ type: 'machine', role: 'viewer', status: 'active' });
    // A client without the grant has no such account.
    const spa = await call('POST', '/clients', {
      token: ownerToken,
      json: {
        name: 'spa',
        grant_types: ['authorization_code'],
        confidential: false,
        redirect_uris: ['https://spa.example.com/cb'],
      },
    });
    expect(spa.body.user_id).toBeNull();
  });

  it('issues an access token for the service account, with no refresh token', async () => {
    const client = await registerService('reporting');
    const reply = await clientToken(client);
    expect(reply.status, reply.text).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(reply.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'scope',
      'token_type',
    ]);
    expect(reply.body.scope.split(' ')).toContain('model_download');
    expect(reply.body.scope.split(' ')).not.toContain('create_session');
    const claims = decodeJwt(reply.body.access_token);
    expect(claims).toMatchObject({
      sub: client.user_id,
      client_id: client.client_id,
      user_type: 'machine',
      role: 'viewer',
    });
    const me = await call('GET', '/me', { token: reply.body.access_token });
    expect(me.status, me.text).toBe(200);
    expect(me.body.user.id).toBe(client.user_id);
    // client_secret_post works too.
    const posted = await tokenEndpoint({
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(posted.status, posted.text).toBe(200);
  });

  it('narrows to the scopes asked for, and refuses scopes beyond the account', async () => {
    const client = await registerService('downloader');
    const narrow = await clientToken(client, { scope: 'model_download profile' });
    expect(narrow.body.scope).toBe('model_download profile');
    expect(decodeJwt(narrow.body.access_token).scope).toBe('model_download profile');
    const beyond = await clientToken(client, { scope: 'model_download users:write' });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error).toBe('invalid_scope');
  });

  it('follows the account: a promotion widens the next token, old tokens stop', async () => {
    const client = await registerService('trainer');
    const before = (await clientToken(client)).body.access_token;
    const promoted = await call('PATCH', `/users/${client.user_id}`, {
      token: ownerToken,
      json: { role: 'editor' },
    });
    expect(promoted.status, promoted.text).toBe(200);
    expect((await call('GET', '/me', { token: before })).status).toBe(401);
    const after = await clientToken(client);
    expect(after.body.scope.split(' ')).toContain('create_session');
    await call('PATCH', `/users/${client.user_id}`, {
      token: ownerToken,
      json: { status: 'disabled' },
    });
    const disabled = await clientToken(client);
    expect(disabled.status).toBe(400);
    expect(disabled.body.error).toBe('unauthorized_client');
  });

  it('refuses bad credentials and clients without the grant', async () => {
    const client = await registerService('guarded');
    const wrong = await clientToken({ ...client, client_secret: `${client.client_secret}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    const none = await tokenEndpoint({ grant_type: 'client_credentials' });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('invalid_client');
    const other = await call('POST', '/clients', {
      token: ownerToken,
      json: {
        name: 'password only',
        grant_types: ['password'],
        confidential: true,
        first_party: true,
      },
    });
    const refused = await clientToken(other.body);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('unauthorized_client');
    // A public client cannot hold the grant at all.
    const publicClient = await call('POST', '/clients', {
      token: ownerToken,
      json: { name: 'public', grant_types: ['client_credentials'], confidential: false },
    });
    expect(publicClient.status).toBe(400);
  });

  it('introspects as active for the client, and deleting the client ends everything', async () => {
    const client = await registerService('short-lived');
    const issued = (await clientToken(client)).body.access_token;
    const introspected = await postForm(
      '/oauth/introspect',
      { token: issued },
      { authorization: basicAuth(client.client_id, client.client_secret) },
    );
    expect(introspected.body).toMatchObject({ active: true, client_id: client.client_id });
    const deleted = await call('DELETE', `/clients/${client.client_id}`, { token: ownerToken });
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/users/${client.user_id}`, { token: ownerToken })).status).toBe(404);
    expect((await call('GET', '/me', { token: issued })).status).toBe(401);
    expect((await clientToken(client)).body.error).toBe('invalid_client');
  });

  it('is listed in discovery', async () => {
    const discovery = await call('GET', '/.well-known/openid-configuration');
    expect(discovery.body.grant_types_supported).toContain('client_credentials');
  });
});
