import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { basicAuth } from '../support/oauth';

/**
 * Red team C (issue 14), kept as regressions: an id_token_hint under prompt=none, request
 * objects, two client authentications at once, and the claims of a client_credentials token.
 */
const OWNER = { email: 'owner@misc.test', password: 'misc owner passphrase 1' };
const OTHER = { email: 'other@misc.test', password: 'misc other passphrase 1' };
const CB = 'https://rp.misc.test/cb';

const { stack, call, signIn, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let app: { id: string; secret: string };
let auth: { authorization: string };

beforeAll(async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  const client = await registerClient(owner, {
    name: 'Misc RP',
    redirect_uris: [CB],
    grant_types: ['authorization_code', 'password', 'refresh_token', 'client_credentials'],
    confidential: true,
    first_party: true,
  });
  app = { id: client.client_id, secret: client.client_secret as string };
  auth = { authorization: basicAuth(app.id, app.secret) };
  const created = await call('POST', '/users', {
    token: owner,
    json: { email: OTHER.email, role: 'viewer', password: OTHER.password },
  });
  expect(created.status, created.text).toBe(201);
});

const browser = () => browserFlow(() => stack().url);

describe('authorization requests', () => {
  it('prompt=none with an id_token_hint naming another user is an error, not a code for whoever is signed in', async () => {
    const other = await tokenEndpoint(
      { grant_type: 'password', username: OTHER.email, password: OTHER.password, scope: 'openid' },
      auth,
    );
    expect(other.status, other.text).toBe(200);
    const hint = other.body.id_token as string;
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    const { authorized } = await flow.authorize({
      client_id: app.id,
      redirect_uri: CB,
      state: 's',
      scope: 'openid',
      prompt: 'none',
      id_token_hint: hint,
    });
    // OIDC Core 3.1.2.1: the hint's user is not the signed-in one: login_required (or similar).
    const back = new URL(authorized.location as string);
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('login_required');
  });

  it('a request object (request=, discovery says unsupported) is refused, not silently dropped', async () => {
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    // An unsigned request object asking for a fresh sign-in; the outer query asks nothing.
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const requestObject = `${b64({ alg: 'none' })}.${b64({ prompt: 'login', max_age: 0 })}.`;
    const { authorized } = await flow.authorize({
      client_id: app.id,
      redirect_uri: CB,
      state: 's',
      scope: 'openid',
      request: requestObject,
    });
    const back = new URL(authorized.location as string, stack().url);
    // OIDC Core 6.1/6.3: request_not_supported.
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('request_not_supported');
  });

  it('request_uri and a response_mode other than query are refused too', async () => {
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    for (const [extra, error] of [
      [{ request_uri: 'https://rp.misc.test/request.jwt' }, 'request_uri_not_supported'],
      [{ response_mode: 'fragment' }, 'invalid_request'],
      [{ response_mode: 'form_post' }, 'invalid_request'],
    ] as const) {
      const { authorized } = await flow.authorize({
        client_id: app.id,
        redirect_uri: CB,
        state: 's',
        scope: 'openid',
        ...extra,
      });
      const back = new URL(authorized.location as string, stack().url);
      expect(back.searchParams.get('code'), JSON.stringify(extra)).toBeNull();
      expect(back.searchParams.get('error')).toBe(error);
    }
  });

  it('prompt=none with an id_token_hint naming the signed-in user answers a code', async () => {
    const flow = browser();
    await flow.signIn(OWNER.email, OWNER.password);
    const mine = await tokenEndpoint(
      { grant_type: 'password', username: OWNER.email, password: OWNER.password, scope: 'openid' },
      auth,
    );
    const { authorized } = await flow.authorize({
      client_id: app.id,
      redirect_uri: CB,
      state: 's',
      scope: 'openid',
      prompt: 'none',
      id_token_hint: mine.body.id_token as string,
    });
    expect(new URL(authorized.location as string).searchParams.get('code')).toMatch(/^ac_/);
  });
});

describe('token endpoint', () => {
  it('refuses a request that authenticates two ways (Basic and a different client in the form)', async () => {
    const reply = await tokenEndpoint(
      {
        grant_type: 'client_credentials',
        client_id: 'cl_someone_else',
        client_secret: 'not-the-secret',
      },
      auth,
    );
    // RFC 6749 §2.3: a client MUST NOT use more than one method; the two disagree here.
    expect(reply.status, reply.text).toBe(400);
    expect(reply.body.error).toBe('invalid_request');
  });

  it('accepts Basic beside the same client_id in the form (RFC 6749 allows naming it)', async () => {
    const reply = await tokenEndpoint(
      { grant_type: 'client_credentials', client_id: app.id },
      auth,
    );
    expect(reply.status, reply.text).toBe(200);
  });

  it('a client_credentials token claims no sign-in: amr empty, no auth_time', async () => {
    const reply = await tokenEndpoint({ grant_type: 'client_credentials' }, auth);
    expect(reply.status, reply.text).toBe(200);
    const claims = decodeJwt(reply.body.access_token as string);
    // Nobody typed a password; nobody authenticated at iat.
    expect(claims.amr).toEqual([]);
    expect(claims.auth_time).toBeUndefined();
  });
});
