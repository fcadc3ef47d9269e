import { describe, expect, it } from 'vitest';
import { unknownRoute } from '../../../src/http/unknown-route';

const body = (result: { body?: string }) => JSON.parse(result.body ?? '{}');

/** Invariant: every path under /oauth/ answers RFC 6749 JSON, unknown ones included. */
describe('unknownRoute', () => {
  it('answers RFC 6749 invalid_request under /oauth/: 404 unknown, 405 wrong method with Allow', () => {
    for (const path of ['/oauth', '/oauth/', '/oauth/nope', '/oauth/token/x']) {
      const result = unknownRoute('GET', path);
      expect(result.statusCode, path).toBe(404);
      expect(body(result)).toEqual({
        error: 'invalid_request',
        error_description: 'Unknown endpoint.',
      });
    }
    const wrong = unknownRoute('GET', '/oauth/token');
    expect(wrong.statusCode).toBe(405);
    expect(body(wrong).error).toBe('invalid_request');
    expect(wrong.headers?.allow).toBe('POST');
    // A page route's path is known too.
    expect(unknownRoute('POST', '/oauth/authorize').headers?.allow).toBe('GET');
  });

  it("keeps the contract's shape elsewhere", () => {
    expect(body(unknownRoute('GET', '/nothing'))).toEqual({
      error: { code: 'not_found', message: 'No such route.' },
    });
    const wrong = unknownRoute('DELETE', '/auth/sign-in');
    expect(wrong.statusCode).toBe(405);
    expect(body(wrong).error.code).toBe('method_not_allowed');
    expect(wrong.headers?.allow).toBe('POST');
  });
});
