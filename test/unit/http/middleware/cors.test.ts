import { describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../../../src/core/shared/deps';
import { cors } from '../../../../src/http/middleware/cors';
import type { HttpResult } from '../../../../src/http/responses';
import { httpEvent, pipelineRequest, routeFor, run } from '../../../support/pipeline';

const SPA = 'https://spa.example.com';

const answered = (origin: string | undefined, shared: string[] | undefined, status = 200) => {
  const request = pipelineRequest(
    httpEvent('POST /oauth/token', { headers: origin ? { origin } : {} }),
    shared ? { corsOrigins: shared } : {},
  );
  request.response = { statusCode: status, headers: { 'cache-control': 'no-store' } };
  return request;
};

const headersOf = (request: { response: HttpResult | null }) => request.response?.headers;

describe('cors', () => {
  it('lets a shared origin read the answer', async () => {
    const request = await run(cors().after, answered(SPA, [SPA]));
    expect(headersOf(request)).toEqual({
      'cache-control': 'no-store',
      'access-control-allow-origin': SPA,
      'access-control-expose-headers': 'Retry-After, WWW-Authenticate',
      vary: 'Origin',
    });
  });

  it('lets it read a refusal too', async () => {
    const request = await run(cors().onError, answered(SPA, [SPA], 400));
    expect(headersOf(request)?.['access-control-allow-origin']).toBe(SPA);
  });

  it('lets it read a 503 and its Retry-After, never an unexpected failure (500)', async () => {
    const unavailable = await run(cors().onError, answered(SPA, [SPA], 503));
    expect(headersOf(unavailable)?.['access-control-allow-origin']).toBe(SPA);
    const failed = await run(cors().onError, answered(SPA, [SPA], 500));
    expect(headersOf(failed)).toEqual({ 'cache-control': 'no-store', vary: 'Origin' });
  });

  it('shares nothing with another origin, no origin, or when nobody shared, but always varies on Origin', async () => {
    for (const request of [
      answered('https://evil.example.com', [SPA]),
      answered(undefined, [SPA]),
      answered(SPA, undefined),
    ]) {
      await run(cors().after, request);
      // A cache in front must not hand this answer to an origin it was shared with, or back.
      expect(headersOf(request)).toEqual({ 'cache-control': 'no-store', vary: 'Origin' });
    }
  });

  it('adds Origin to what an answer already varies on, once', async () => {
    const request = answered(SPA, [SPA]);
    if (request.response) request.response.headers.vary = 'Accept-Encoding';
    await run(cors().after, request);
    expect(headersOf(request)?.vary).toBe('Accept-Encoding, Origin');
    await run(cors().after, request);
    expect(headersOf(request)?.vary).toBe('Accept-Encoding, Origin');
  });

  it('lets ALLOWED_REDIRECT_ORIGINS read a route that shares with them, a refusal before the action included', async () => {
    const deps = {
      config: { allowedRedirectOrigins: [SPA], corsAllowedOrigins: [] },
    } as unknown as CoreDeps;
    const refused = (key: string, origin: string) => {
      const request = pipelineRequest(httpEvent(key, { headers: { origin } }), {
        deps,
        route: routeFor(key),
      });
      request.response = { statusCode: 401, headers: {} };
      return request;
    };
    const userinfo = await run(cors().onError, refused('GET /oauth/userinfo', SPA));
    expect(headersOf(userinfo)?.['access-control-allow-origin']).toBe(SPA);
    // Another origin, or a route that does not share with them, gets nothing.
    const other = await run(cors().onError, refused('GET /oauth/userinfo', 'https://x.example'));
    expect(headersOf(other)).toEqual({ vary: 'Origin' });
    const introspect = await run(cors().onError, refused('POST /oauth/introspect', SPA));
    expect(headersOf(introspect)).toEqual({ vary: 'Origin' });
  });

  it('lets CORS_ALLOWED_ORIGINS read the JSON API and the browser’s /oauth/*, not introspection nor /.well-known/*', async () => {
    const deps = {
      config: { allowedRedirectOrigins: [], corsAllowedOrigins: [SPA] },
    } as unknown as CoreDeps;
    const answeredOn = (key: string, status: number, headers: Record<string, string> = {}) => {
      const request = pipelineRequest(httpEvent(key, { headers: { origin: SPA } }), {
        deps,
        route: routeFor(key),
      });
      request.response = { statusCode: status, headers };
      return request;
    };
    for (const key of ['GET /me', 'POST /users', 'POST /oauth/token', 'POST /oauth/revoke']) {
      const request = await run(cors().onError, answeredOn(key, 401));
      expect(headersOf(request)?.['access-control-allow-origin'], key).toBe(SPA);
      expect(headersOf(request)?.vary, key).toBe('Origin');
    }
    const introspect = await run(cors().onError, answeredOn('POST /oauth/introspect', 401));
    expect(headersOf(introspect)).toEqual({ vary: 'Origin' });
    const jwks = await run(
      cors().after,
      answeredOn('GET /.well-known/jwks.json', 200, { 'access-control-allow-origin': '*' }),
    );
    expect(headersOf(jwks)).toEqual({ 'access-control-allow-origin': '*' });
  });
});
