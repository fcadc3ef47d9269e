import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { USER_EVENT_SOURCE } from '../../src/core/users/user-events';
import { ownerEmail } from '../support/built-bundles/assembly';
import { resolveValue } from '../support/built-bundles/environment';
import { type LocalCloud, startLocalCloud } from '../support/built-bundles/local-cloud';
import { mailbox } from '../support/mailbox';

const webDist = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * Local-cloud parity: the stack synthesized once, and every function run from its built asset in
 * plain node with the template's environment, behind the template's routes and authorizer,
 * against DynamoDB Local and local Secrets Manager, EventBridge, Lambda and SES endpoints that
 * the real SDK (the runtime's, not bundled) talks to.
 */
// Each first request is a cold start (bcrypt, the owner's creation): slow on a loaded machine.
describe('the built bundles, as the template deploys them', { timeout: 60_000 }, () => {
  let cloud: LocalCloud;
  let url: string;
  const call = async (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    const response = await fetch(`${url}${path}`, {
      ...rest,
      redirect: 'manual',
      headers: {
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(rest.headers as Record<string, string>),
      },
      body: json === undefined ? rest.body : JSON.stringify(json),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { response, text, body: type.includes('json') ? JSON.parse(text) : undefined };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** The local value of a template environment variable some function carries. */
  const variable = (name: string): string => {
    const fn = cloud.assembly.functions.find((candidate) => name in candidate.variables);
    if (!fn) throw new Error(`No function has ${name}`);
    return resolveValue(fn.variables[name], cloud.locals);
  };

  let accessToken: string;
  let refreshToken: string;

  beforeAll(async () => {
    cloud = await startLocalCloud(inject('sharedDynamoEndpoint'));
    url = cloud.gateway.url;
  }, 240_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('signs the default owner in with the password from its secret, then refreshes', async () => {
    const password = cloud.secrets.current(variable('DEFAULT_OWNER_PASSWORD_SECRET_ARN'));
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    const signIn = await call('/auth/sign-in', {
      method: 'POST',
      json: { login: ownerEmail, password },
    });
    expect(signIn.response.status, signIn.text).toBe(200);
    expect(signIn.body.user).toMatchObject({ email: ownerEmail, role: 'owner' });

    const refreshed = await call('/auth/refresh', {
      method: 'POST',
      json: { refresh_token: signIn.body.refresh_token },
    });
    expect(refreshed.response.status, refreshed.text).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(signIn.body.refresh_token);
    accessToken = refreshed.body.access_token;
    refreshToken = refreshed.body.refresh_token;
    // The first cold start stored the key set with PutSecretValue, in place of the placeholder.
    const keySet = JSON.parse(cloud.secrets.current(variable('SIGNING_KEYS_SECRET_ARN')) ?? '{}');
    expect(keySet.keys?.length).toBeGreaterThan(0);
  });

  it('answers GET /me through the authorizer bundle, and 401 without a token', async () => {
    const me = await call('/me', { headers: bearer(accessToken) });
    expect(me.response.status, me.text).toBe(200);
    expect(me.body.user.email).toBe(ownerEmail);
    const anonymous = await call('/me');
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.body.error.code).toBe('token_invalid');
  });

  it('publishes keys at /.well-known/jwks.json that verify the access token', async () => {
    const jwks = await call('/.well-known/jwks.json');
    expect(jwks.response.status).toBe(200);
    const { kid } = decodeProtectedHeader(accessToken);
    expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).toContain(kid);
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks.body), {
      issuer: url,
    });
    expect(payload.email).toBe(ownerEmail);
  });

  it('creates a pending user (POST /users), publishing user.pending to EventBridge', async () => {
    const email = `member-${Date.now()}@gatehouse.test`;
    const created = await call('/users', {
      method: 'POST',
      headers: bearer(accessToken),
      json: { email, role: 'viewer', type: 'human', status: 'pending' },
    });
    expect(created.response.status, created.text).toBe(201);
    const events = cloud.aws.events.filter((event) => event.Source === USER_EVENT_SOURCE);
    expect(events.map((event) => [event.DetailType, JSON.parse(event.Detail).user.email])).toEqual([
      ['user.pending', email],
    ]);
  });

  it('makes an API token (POST /tokens) that the authorizer bundle accepts', async () => {
    const created = await call('/tokens', {
      method: 'POST',
      headers: bearer(accessToken),
      json: { name: 'built-bundles' },
    });
    expect(created.response.status, created.text).toBe(201);
    expect(created.body.token).toMatch(/^sat_/);
    const listed = await call(`/tokens/${created.body.token_id}`, {
      headers: bearer(created.body.token),
    });
    expect(listed.response.status, listed.text).toBe(200);
    expect(listed.body.name).toBe('built-bundles');
    expect(listed.body.last_used_at).not.toBeNull();
  });

  it('serves the sign-in page and its assets from the bundle', async () => {
    const page = await call('/sign-in');
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get('content-type')).toMatch(/^text\/html/);
    const links = [...page.text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(links.sort()).toEqual(['/assets/app.css', '/assets/app.js']);
    for (const link of links as string[]) {
      const asset = await call(link);
      expect(asset.response.status, link).toBe(200);
      expect(asset.text).toBe(readFileSync(`${webDist}${link.slice('/assets/'.length)}`, 'utf8'));
    }
  });

  it('reads the providers secret (GET /auth/providers) and introspects (POST /oauth/introspect)', async () => {
    const providers = await call('/auth/providers');
    expect(providers.response.status, providers.text).toBe(200);
    const introspected = await call('/oauth/introspect', {
      method: 'POST',
      headers: { ...bearer(accessToken), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken }).toString(),
    });
    expect(introspected.response.status, introspected.text).toBe(200);
    expect(introspected.body.active).toBe(true);
  });

  it('queues mail to the mailer bundle, which sends it through SES', async () => {
    const forgot = await call('/auth/password/forgot', {
      method: 'POST',
      json: { email: ownerEmail },
    });
    expect(forgot.response.status, forgot.text).toBe(202);
    await cloud.aws.settled();
    const mail = await mailbox(cloud.ses.url).latestTo(ownerEmail, { timeoutMs: 10_000 });
    expect(mail.text).toContain(`${url}/reset-password`);
  });

  it('rotates the signing keys as Secrets Manager would: the next keys published before they sign', async () => {
    const secretId = variable('SIGNING_KEYS_SECRET_ARN');
    const rotation = cloud.assembly.functions.find((fn) => fn.logicalId.startsWith('KeyRotation'));
    expect(rotation, 'the template has a key rotation function').toBeDefined();
    const before = await call('/.well-known/jwks.json');
    const token = randomUUID();
    cloud.secrets.startRotation(secretId, token);
    // Secrets Manager's four steps, in its order, with its event shape.
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      await cloud.pool.invoke(rotation?.logicalId ?? '', {
        SecretId: secretId,
        ClientRequestToken: token,
        Step,
      });
    }
    const after = await call('/.well-known/jwks.json');
    const kids = (jwks: { body: { keys: { kid: string }[] } }) =>
      jwks.body.keys.map((key) => key.kid);
    // Published now (two new keys: ES256 and RS256); the old ones stay, and still sign.
    expect(kids(after)).toEqual(expect.arrayContaining(kids(before)));
    expect(kids(after).length).toBe(kids(before).length + 2);
    const keySet = JSON.parse(cloud.secrets.current(secretId) ?? '{}');
    expect(keySet.keys).toHaveLength(kids(after).length);
    const refreshed = await call('/auth/refresh', {
      method: 'POST',
      json: { refresh_token: refreshToken },
    });
    expect(refreshed.response.status, refreshed.text).toBe(200);
    refreshToken = refreshed.body.refresh_token;
    const { kid } = decodeProtectedHeader(refreshed.body.access_token);
    expect(kids(before)).toContain(kid);
  });

  it('signs out, then started every function of the template, none failing', async () => {
    const signOut = await call('/auth/sign-out', {
      method: 'POST',
      json: { refresh_token: refreshToken },
    });
    expect(signOut.response.status, signOut.text).toBe(204);
    expect(cloud.gateway.failures).toEqual([]);
    expect(cloud.pool.started().sort()).toEqual(
      cloud.assembly.functions.map((fn) => fn.logicalId).sort(),
    );
  });
});
