import { describe, expect, it } from 'vitest';
import { routeErrors } from '../../../src/http/route-errors';
import { type Route, routeKey, routes } from '../../../src/http/routes';

const route = (key: string): Route => {
  const found = routes.find((candidate) => routeKey(candidate) === key);
  if (!found) throw new Error(`no route ${key}`);
  return found;
};
const codesAt = (key: string, status: number) =>
  routeErrors(route(key)).find((answer) => answer.status === status)?.codes ?? [];
const statuses = (key: string) => routeErrors(route(key)).map((answer) => answer.status);

describe('routeErrors', () => {
  it('derives the contract errors from the route: API key, bearer, scope, body, path', () => {
    expect(routeErrors(route('PATCH /users/{id}'))).toEqual([
      { status: 400, codes: ['record_invalid'] },
      { status: 401, codes: ['token_invalid', 'token_expired'] },
      { status: 403, codes: ['api_key_invalid', 'forbidden'] },
      { status: 404, codes: ['not_found'] },
      { status: 409, codes: ['conflict'] },
      { status: 413, codes: ['payload_too_large'] },
      { status: 415, codes: ['unsupported_media_type'] },
      { status: 500, codes: ['internal'] },
    ]);
  });

  it('takes no API key on discovery, which JWT libraries fetch without one', () => {
    expect(routeErrors(route('GET /.well-known/jwks.json'))).toEqual([
      { status: 500, codes: ['internal'] },
    ]);
  });

  it('adds the extras the contract names for a route', () => {
    expect(codesAt('POST /auth/sign-in', 401)).toEqual(['invalid_credentials']);
    expect(codesAt('POST /auth/sign-in', 429)).toEqual(['too_many_attempts']);
    expect(codesAt('POST /auth/sign-up', 409)).toEqual(['conflict']);
    expect(statuses('GET /me')).not.toContain(400);
  });

  it("answers /oauth/* in RFC 6749's shape, as its renderer does", () => {
    expect(routeErrors(route('POST /oauth/token'))).toEqual([
      {
        status: 400,
        codes: [
          'invalid_request',
          'invalid_grant',
          'invalid_scope',
          'unauthorized_client',
          'unsupported_grant_type',
        ],
      },
      { status: 401, codes: ['invalid_client'] },
      // The password grant (and a held-back refresh) of a user with a factor (API.md, MFA).
      { status: 403, codes: ['invalid_client', 'mfa_required'] },
      { status: 413, codes: ['invalid_request'] },
      { status: 500, codes: ['server_error'] },
    ]);
    expect(codesAt('POST /oauth/introspect', 401)).toEqual([
      'invalid_token',
      'invalid_client',
      'insufficient_scope',
    ]);
    expect(codesAt('POST /oauth/introspect', 403)).toEqual(['invalid_client']);
  });

  it('answers userinfo, a form-less /oauth/* route, in RFC 6750 terms', () => {
    for (const key of ['GET /oauth/userinfo', 'POST /oauth/userinfo']) {
      expect(routeErrors(route(key))).toEqual([
        { status: 401, codes: ['invalid_token'] },
        { status: 403, codes: ['invalid_client', 'insufficient_scope'] },
        { status: 500, codes: ['server_error'] },
      ]);
    }
  });
});
