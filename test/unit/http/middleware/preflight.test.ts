import { describe, expect, it } from 'vitest';
import { preflight } from '../../../../src/http/middleware/preflight';
import { aClientRecord } from '../../../support/clients';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { httpEvent, pipelineRequest } from '../../../support/pipeline';

const APP = 'https://app.example.com';
const CLIENT_APP = 'https://client.example';

const deps = (): TestDeps => testDeps({ CORS_ALLOWED_ORIGINS: APP });

/** The early answer of the preflight middleware, or undefined when it lets the request through. */
const answer = async (
  d: TestDeps,
  {
    method = 'OPTIONS',
    path,
    origin,
    readsClients = false,
  }: {
    method?: string;
    path: string;
    origin?: string;
    readsClients?: boolean;
  },
) => {
  const event = httpEvent(`${method} ${path}`, {
    headers: origin ? { origin, 'access-control-request-method': 'GET' } : {},
  });
  const { before } = preflight({ deps: () => d, readsClients });
  return before?.(pipelineRequest(event));
};

describe('preflight', () => {
  it('lets an allowed origin send to an API path: its methods, the three headers, no credentials', async () => {
    expect(await answer(deps(), { path: '/users/u1', origin: APP })).toEqual({
      statusCode: 204,
      headers: {
        'access-control-allow-origin': APP,
        'access-control-allow-methods': 'GET, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type, x-api-key',
        'access-control-max-age': '600',
        vary: 'Origin',
      },
    });
  });

  it('answers another origin 204 without CORS headers, on /oauth/userinfo too (no echo)', async () => {
    for (const path of ['/me', '/oauth/userinfo', '/oauth/token']) {
      const other = await answer(deps(), {
        path,
        origin: 'https://evil.example',
        readsClients: true,
      });
      expect(other, path).toEqual({ statusCode: 204, headers: {} });
    }
  });

  it('lets CORS_ALLOWED_ORIGINS call only the browser’s /oauth/* endpoints', async () => {
    const d = deps();
    for (const path of ['/oauth/token', '/oauth/userinfo', '/oauth/revoke']) {
      const allowed = (await answer(d, { path, origin: APP })) as { headers: object };
      expect(allowed.headers, path).toHaveProperty('access-control-allow-origin', APP);
    }
    const introspect = await answer(d, { path: '/oauth/introspect', origin: APP });
    expect(introspect).toEqual({ statusCode: 204, headers: {} });
  });

  it('lets ALLOWED_REDIRECT_ORIGINS call the browser’s /oauth/* endpoints, not the JSON API', async () => {
    const d = testDeps({ ALLOWED_REDIRECT_ORIGINS: APP });
    const userinfo = (await answer(d, { path: '/oauth/userinfo', origin: APP })) as {
      headers: object;
    };
    expect(userinfo.headers).toHaveProperty('access-control-allow-origin', APP);
    expect(await answer(d, { path: '/me', origin: APP })).toEqual({ statusCode: 204, headers: {} });
  });

  it('lets a registered redirect origin call /oauth/* where the function reads clients', async () => {
    const d = deps();
    const before = await answer(d, {
      path: '/oauth/userinfo',
      origin: CLIENT_APP,
      readsClients: true,
    });
    expect(before).toEqual({ statusCode: 204, headers: {} });
    await d.store.createClient(
      aClientRecord({ createdAt: d.clock.now(), redirectUris: [`${CLIENT_APP}/cb`] }),
    );
    // A miss re-reads the clients after a few seconds, not on every preflight.
    const fresh = preflight({ deps: () => d, readsClients: true }).before;
    const ask = () =>
      fresh?.(
        pipelineRequest(httpEvent('OPTIONS /oauth/userinfo', { headers: { origin: CLIENT_APP } })),
      ) as Promise<{ headers: object }>;
    expect((await ask()).headers).toHaveProperty('access-control-allow-origin', CLIENT_APP);
    // Discovery (no client listing) answers from settings alone; the JSON API is not /oauth/*.
    expect(
      await answer(d, { path: '/oauth/userinfo', origin: CLIENT_APP, readsClients: false }),
    ).toEqual({ statusCode: 204, headers: {} });
    expect(await answer(d, { path: '/me', origin: CLIENT_APP, readsClients: true })).toEqual({
      statusCode: 204,
      headers: {},
    });
  });

  it('re-reads the clients on a miss only after a few seconds', async () => {
    const d = deps();
    const { before } = preflight({ deps: () => d, readsClients: true });
    const ask = () =>
      before?.(
        pipelineRequest(httpEvent('OPTIONS /oauth/userinfo', { headers: { origin: CLIENT_APP } })),
      ) as Promise<{ headers: object }>;
    expect((await ask()).headers).toEqual({});
    await d.store.createClient(
      aClientRecord({ createdAt: d.clock.now(), redirectUris: [`${CLIENT_APP}/cb`] }),
    );
    expect((await ask()).headers).toEqual({});
    d.clock.advance(6);
    expect((await ask()).headers).toHaveProperty('access-control-allow-origin', CLIENT_APP);
  });

  it('answers `*` on /.well-known/*', async () => {
    const wellKnown = (await answer(deps(), {
      path: '/.well-known/jwks.json',
      origin: 'https://any.example',
    })) as { headers: Record<string, string> };
    expect(wellKnown.headers['access-control-allow-origin']).toBe('*');
    expect(wellKnown.headers).not.toHaveProperty('vary');
  });

  it('lets through what is not a preflight: no Origin, another method, a page or unknown path', async () => {
    const d = deps();
    expect(await answer(d, { path: '/me' })).toBeUndefined();
    expect(await answer(d, { method: 'GET', path: '/me', origin: APP })).toBeUndefined();
    expect(await answer(d, { path: '/sign-in', origin: APP })).toBeUndefined();
    expect(await answer(d, { path: '/nowhere', origin: APP })).toBeUndefined();
  });
});
