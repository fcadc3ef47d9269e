import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueAuthorizationCode } from '../../src/core/oauth/authorization-codes';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';
import { basicAuth, firstPartyApp, pkcePair } from '../support/oauth';

const OWNER = { email: 'owner@token.test', password: 'token endpoint owner passphrase' };

const {
  call,
  signIn,
  tokenEndpoint: token,
  registerClient,
} = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  LOCKOUT_THRESHOLD: '3',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

const register = (json: Record<string, unknown>) => registerClient(ownerToken, json);

describe('POST /oauth/token', () => {
  it('refreshes a sign-in refresh token without client authentication', async () => {
    const session = await call('POST', '/auth/sign-in', {
      json: { login: OWNER.email, password: OWNER.password },
    });
    const reply = await token({
      grant_type: 'refresh_token',
      refresh_token: session.body.refresh_token,
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(reply.body.refresh_token).toMatch(/^srt_/);
    expect(reply.body.scope.split(' ')).toContain('clients:write');
    expect(reply.body).not.toHaveProperty('user');
    const again = await token({
      grant_type: 'refresh_token',
      refresh_token: session.body.refresh_token,
    });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('grants password sign-in to first-party clients only, under the lockout', async () => {
    const firstParty = await register({
      name: 'cli',
      grant_types: ['password', 'refresh_token'],
      confidential: true,
      first_party: true,
    });
    const auth = {
      authorization: basicAuth(firstParty.client_id, firstParty.client_secret as string),
    };
    const ok = await token(
      { grant_type: 'password', username: OWNER.email, password: OWNER.password },
      auth,
    );
    expect(ok.status, ok.text).toBe(200);
    // Its refresh token is the client's: refreshed by that client only.
    const stranger = await token({
      grant_type: 'refresh_token',
      refresh_token: ok.body.refresh_token,
    });
    expect(stranger.body.error).toBe('invalid_grant');
    const own = await token(
      { grant_type: 'refresh_token', refresh_token: ok.body.refresh_token },
      auth,
    );
    expect(own.status, own.text).toBe(200);
    // The client may revoke what was issued to it.
    const revoked = await call('POST', '/oauth/revoke', {
      body: new URLSearchParams({ token: own.body.refresh_token }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
    });
    expect(revoked.status).toBe(200);
    const dead = await token(
      { grant_type: 'refresh_token', refresh_token: own.body.refresh_token },
      auth,
    );
    expect(dead.body.error).toBe('invalid_grant');

    for (let i = 0; i < 3; i++) {
      const wrong = await token(
        { grant_type: 'password', username: 'locked@token.test', password: 'nope nope nope' },
        auth,
      );
      expect(wrong.body.error).toBe('invalid_grant');
    }
    const locked = await token(
      { grant_type: 'password', username: 'locked@token.test', password: 'nope nope nope' },
      auth,
    );
    expect(locked.status).toBe(400);
    expect(locked.body.error).toBe('invalid_grant');

    const thirdParty = await register({
      name: 'app',
      grant_types: ['refresh_token'],
      confidential: true,
    });
    const refused = await token(
      { grant_type: 'password', username: OWNER.email, password: OWNER.password },
      { authorization: basicAuth(thirdParty.client_id, thirdParty.client_secret as string) },
    );
    expect(refused.body.error).toBe('unauthorized_client');
    const anonymous = await token({
      grant_type: 'password',
      username: OWNER.email,
      password: OWNER.password,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('invalid_client');
  });

  it('exchanges an authorization code once, with its PKCE verifier, for its client and redirect URI', async () => {
    // First-party: codes issued here skip the consent a third-party client needs.
    const spa = await register(firstPartyApp('spa', 'https://spa.example.com/cb'));
    const me = await call('GET', '/me', { token: ownerToken });
    const { verifier, challenge } = pkcePair();
    const deps = buildDeps(process.env);
    const issue = () =>
      issueAuthorizationCode(deps, {
        clientId: spa.client_id,
        redirectUri: 'https://spa.example.com/cb',
        codeChallenge: challenge,
        userId: me.body.user.id,
        scope: ['profile'],
      });
    const exchange = (code: string, overrides: Record<string, string> = {}) =>
      token({
        grant_type: 'authorization_code',
        code,
        client_id: spa.client_id,
        redirect_uri: 'https://spa.example.com/cb',
        code_verifier: verifier,
        ...overrides,
      });
    const code = await issue();
    const ok = await exchange(code);
    expect(ok.status, ok.text).toBe(200);
    expect((await call('GET', '/me', { token: ok.body.access_token })).body.user.email).toBe(
      OWNER.email,
    );
    expect((await exchange(code)).body.error).toBe('invalid_grant');
    expect(
      (await exchange(await issue(), { code_verifier: randomBytes(32).toString('base64url') })).body
        .error,
    ).toBe('invalid_grant');
    expect(
      (await exchange(await issue(), { redirect_uri: 'https://spa.example.com/other' })).body.error,
    ).toBe('invalid_grant');
  });

  it("lets a browser on the client's redirect origin read answers and errors, no one else", async () => {
    const spa = await register({
      name: 'cors spa',
      grant_types: ['authorization_code'],
      confidential: false,
      redirect_uris: ['https://cors-spa.example.com/cb'],
    });
    const attempt = (origin: string) =>
      token(
        {
          grant_type: 'authorization_code',
          code: 'ac_not-a-real-code',
          client_id: spa.client_id,
          redirect_uri: 'https://cors-spa.example.com/cb',
          code_verifier: 'v'.repeat(43),
        },
        { origin },
      );
    const own = await attempt('https://cors-spa.example.com');
    expect(own.body.error).toBe('invalid_grant');
    expect(own.headers.get('access-control-allow-origin')).toBe('https://cors-spa.example.com');
    const foreign = await attempt('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers bad requests in the RFC shape', async () => {
    expect((await token({ grant_type: 'implicit' })).body.error).toBe('unsupported_grant_type');
    expect((await token({ grant_type: 'client_credentials' })).body.error).toBe('invalid_client');
    expect((await token({ grant_type: 'refresh_token' })).body.error).toBe('invalid_request');
    const json = await call('POST', '/oauth/token', { json: { grant_type: 'refresh_token' } });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
    const twice = await call('POST', '/oauth/token', {
      body: 'grant_type=refresh_token&grant_type=password',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(twice.body).toEqual({
      error: 'invalid_request',
      error_description: 'grant_type: given more than once.',
    });
    expect(
      (await token({ grant_type: 'refresh_token', refresh_token: 'garbage' })).body.error,
    ).toBe('invalid_grant');
  });
});
