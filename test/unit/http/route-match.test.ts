import { describe, expect, it } from 'vitest';
import { createRouteMatcher, matchRoute } from '../../../src/http/route-match';

const match = createRouteMatcher([
  { method: 'GET', path: '/users/{id}' },
  { method: 'PATCH', path: '/users/{id}' },
  { method: 'GET', path: '/users' },
  { method: 'GET', path: '/a.b' },
]);

describe('createRouteMatcher', () => {
  it('finds a route with its key and decoded path parameters, whatever the method’s case', () => {
    expect(match('get', '/users/u%2F1')).toMatchObject({
      kind: 'found',
      routeKey: 'GET /users/{id}',
      pathParameters: { id: 'u/1' },
    });
  });

  it('says which methods a known path allows', () => {
    expect(match('DELETE', '/users/u1')).toEqual({
      kind: 'wrong_method',
      allowed: ['GET', 'PATCH'],
    });
  });

  it('finds nothing for an unknown path, an extra segment, or a parameter spanning segments', () => {
    expect(match('GET', '/nowhere')).toEqual({ kind: 'none' });
    expect(match('GET', '/users/u1/extra')).toEqual({ kind: 'none' });
    expect(match('GET', '/users/')).toEqual({ kind: 'none' });
  });

  it('takes the path’s characters literally, not as a pattern', () => {
    expect(match('GET', '/a.b').kind).toBe('found');
    expect(match('GET', '/axb')).toEqual({ kind: 'none' });
  });
});

describe('matchRoute', () => {
  it('matches Gatehouse’s own route table', () => {
    expect(matchRoute('POST', '/oauth/token')).toMatchObject({
      kind: 'found',
      route: { function: 'oauth' },
    });
  });
});
