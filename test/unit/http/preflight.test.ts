import { describe, expect, it } from 'vitest';
import { errorAnswer } from '../../../src/http/error-answer';
import { RouteNotServed } from '../../../src/http/middleware/route';

const ORIGIN = 'https://app.example.com';

/** CORS preflights: only before a bearer to a route that shares its answers (userinfo). */
describe('preflight', () => {
  it('lets a browser send its bearer to /oauth/userinfo, no credentials', () => {
    const answer = errorAnswer('oauth', new RouteNotServed('OPTIONS', '/oauth/userinfo', ORIGIN));
    expect(answer?.statusCode).toBe(204);
    expect(answer?.headers).toEqual({
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type, x-api-key',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(answer?.headers).not.toHaveProperty('access-control-allow-credentials');
  });

  it('answers nothing CORS elsewhere, or without an Origin', () => {
    for (const [path, origin] of [
      ['/oauth/token', ORIGIN],
      ['/me', ORIGIN],
      ['/oauth/userinfo', null],
    ] as const) {
      const answer = errorAnswer('json', new RouteNotServed('OPTIONS', path, origin));
      expect(answer?.statusCode, path).toBe(405);
      expect(answer?.headers, path).not.toHaveProperty('access-control-allow-origin');
    }
  });
});
