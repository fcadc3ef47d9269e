import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * Scope enforcement through the example protected API (src/example), mounted under /example
 * by the local server with its own authorizer, as lib/gatehouse-authorizer.ts deploys it.
 */
const OWNER = { email: 'owner@example-api.test', password: 'example api owner passphrase' };
const PASSWORD = 'an example member passphrase';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '1',
});

const pause = () => new Promise((wait) => setTimeout(wait, 1100));

let ownerToken: string;
let n = 0;
const member = async (role: string) => {
  n++;
  const email = `${role}-${n}@example-api.test`;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(reply.status, reply.text).toBe(201);
  return { id: reply.body.user.id as string, token: await signIn(email, PASSWORD) };
};

const apiToken = async (token: string, json: Record<string, unknown>) => {
  const reply = await call('POST', '/tokens', { token, json });
  expect(reply.status, reply.text).toBe(201);
  return reply.body.token as string;
};

const example = (method: string, path: string, token?: string, json?: unknown) =>
  call(method, `/example${path}`, { ...(token ? { token } : {}), ...(json ? { json } : {}) });

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

describe('the example protected API', () => {
  it('answers as API Gateway does without a token, with a bad one, and for unknown routes', async () => {
    expect(await example('GET', '/sessions')).toMatchObject({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect(await example('GET', '/sessions', 'garbage')).toMatchObject({
      status: 403,
      body: { message: 'Forbidden' },
    });
    expect((await example('GET', '/nothing-here', ownerToken)).status).toBe(404);
  });

  it('lets a viewer read and download, but not create', async () => {
    const viewer = await member('viewer');
    expect((await example('GET', '/sessions', viewer.token)).body).toEqual({ sessions: [] });
    expect((await example('GET', '/workspace/sessions', viewer.token)).status).toBe(200);
    expect((await example('GET', '/models/m-1/download', viewer.token)).status).toBe(200);
    // The authorizer refuses (API Gateway's body), before the example's own check.
    const refused = { status: 403, body: { message: 'Forbidden' } };
    expect(await example('POST', '/sessions', viewer.token, { name: 'x' })).toMatchObject(refused);
    expect(await example('POST', '/models', viewer.token, { name: 'x' })).toMatchObject(refused);
  });

  it('lets an editor run the whole life of a session, and only their own', async () => {
    const editor = await member('editor');
    const other = await member('editor');
    const created = await example('POST', '/sessions', editor.token, { name: 'fraud model' });
    expect(created.status, created.text).toBe(201);
    const id = created.body.session.session_id as string;
    expect((await example('POST', `/sessions/${id}/start`, editor.token)).body.session.status).toBe(
      'running',
    );
    expect((await example('POST', `/sessions/${id}/cancel`, other.token)).status).toBe(404);
    expect(
      (await example('POST', `/sessions/${id}/cancel`, editor.token)).body.session.status,
    ).toBe('cancelled');
    const mine = await example('GET', '/sessions', editor.token);
    expect(mine.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([id]);
    expect((await example('GET', '/sessions', other.token)).body.sessions).toEqual([]);
    const everyone = await example('GET', '/workspace/sessions', other.token);
    expect(everyone.body.sessions.map((s: { session_id: string }) => s.session_id)).toContain(id);
    expect((await example('DELETE', `/sessions/${id}`, other.token)).status).toBe(404);
    expect((await example('DELETE', `/sessions/${id}`, editor.token)).status).toBe(204);
    expect((await example('POST', '/models', editor.token, { name: 'mine' })).status).toBe(201);
    // The example's own 400 for a bad body, after the authorizer let it through.
    expect((await example('POST', '/sessions', editor.token, { name: '' })).status).toBe(400);
  });

  it('holds a scoped API token to its scopes: own sessions only, not everyone’s', async () => {
    const editor = await member('editor');
    const other = await member('editor');
    const theirs = await example('POST', '/sessions', other.token, { name: 'theirs' });
    const theirId = theirs.body.session.session_id as string;
    const downloader = await apiToken(editor.token, {
      name: 'downloads',
      scopes: ['model_download'],
    });
    expect((await example('GET', '/models/m-2/download', downloader)).status).toBe(200);
    expect((await example('GET', '/sessions', downloader)).status).toBe(403);
    const reader = await apiToken(editor.token, { name: 'reader', scopes: ['read_user_session'] });
    expect((await example('GET', '/sessions', reader)).status).toBe(200);
    expect((await example('GET', `/sessions/${theirId}`, reader)).status).toBe(404);
    expect((await example('GET', '/workspace/sessions', reader)).status).toBe(403);
    expect((await example('GET', `/sessions/${theirId}`, editor.token)).status).toBe(200);
  });

  it('applies a demotion, a sign-out and a deletion within REVOCATION_CACHE_SECONDS', async () => {
    const editor = await member('editor');
    const unscoped = await apiToken(editor.token, { name: 'all of it' });
    expect((await example('POST', '/sessions', unscoped, { name: 'a' })).status).toBe(201);
    expect((await example('POST', '/sessions', editor.token, { name: 'b' })).status).toBe(201);
    const demoted = await call('PATCH', `/users/${editor.id}`, {
      token: ownerToken,
      json: { role: 'viewer' },
    });
    expect(demoted.status, demoted.text).toBe(200);
    await pause();
    // The API token shrinks to a viewer's scopes; the old access token's session has ended.
    expect(await example('POST', '/sessions', unscoped, { name: 'c' })).toMatchObject({
      status: 403,
      body: { message: 'Forbidden' },
    });
    expect((await example('GET', '/sessions', unscoped)).status).toBe(200);
    expect((await example('GET', '/sessions', editor.token)).status).toBe(403);

    const viewer = await member('viewer');
    expect((await example('GET', '/sessions', viewer.token)).status).toBe(200);
    await call('POST', '/auth/sign-out', { token: viewer.token, json: { all: true } });
    await pause();
    expect((await example('GET', '/sessions', viewer.token)).status).toBe(403);

    expect((await call('DELETE', `/users/${editor.id}`, { token: ownerToken })).status).toBe(204);
    await pause();
    expect((await example('GET', '/sessions', unscoped)).status).toBe(403);
  });
});
