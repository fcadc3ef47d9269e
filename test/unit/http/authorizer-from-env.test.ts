import { describe, expect, it } from 'vitest';
import { createApiKeyCheck } from '../../../src/core/tokens/api-keys';
import {
  revocationLookbackSecondsFromEnv,
  routeScopesFromEnv,
} from '../../../src/http/authorizer-from-env';

describe('AUTHORIZER_ROUTE_SCOPES', () => {
  it('reads a map of route keys to scopes, and nothing when unset', () => {
    expect(routeScopesFromEnv({})).toBeNull();
    expect(
      routeScopesFromEnv({ AUTHORIZER_ROUTE_SCOPES: '{"GET /a/{id}":["x","y"],"POST /a":["z"]}' }),
    ).toEqual({ 'GET /a/{id}': ['x', 'y'], 'POST /a': ['z'] });
  });

  it.each([
    ['not JSON', '{'],
    ['a list', '["GET /a"]'],
    ['a key without a method', '{"/a":["x"]}'],
    ['no scopes', '{"GET /a":[]}'],
    ['a scope that is not a string', '{"GET /a":[1]}'],
  ])('stops the start on %s', (_label, value) => {
    expect(() => routeScopesFromEnv({ AUTHORIZER_ROUTE_SCOPES: value })).toThrow(
      /AUTHORIZER_ROUTE_SCOPES/,
    );
  });
});

describe('API key check', () => {
  const key = 'gh_abcdefghijklmnopqrstuvwx';

  it('reads each key at most once per window, and refuses malformed keys without a read', async () => {
    let now = 0;
    const reads: string[] = [];
    const check = createApiKeyCheck({
      isKnownClient: async (id) => {
        reads.push(id);
        return id === key;
      },
      now: () => now,
      cacheSeconds: 10,
    });
    expect(await check(key)).toBe(true);
    expect(await check(key)).toBe(true);
    expect(await check(undefined)).toBe(false);
    expect(await check('gh_short')).toBe(false);
    expect(reads).toEqual([key]);
    now = 10_000;
    expect(await check(key)).toBe(true);
    expect(reads).toEqual([key, key]);
  });
});

describe("the revocation feed's lookback", () => {
  it('covers the longest access token plus skew, or an hour when the lifetime is not known', () => {
    expect(revocationLookbackSecondsFromEnv({ ACCESS_TOKEN_TTL_SECONDS: '900' })).toBe(1200);
    expect(revocationLookbackSecondsFromEnv({ ACCESS_TOKEN_TTL_SECONDS: '86400' })).toBe(86_700);
    expect(revocationLookbackSecondsFromEnv({})).toBe(3600);
    expect(revocationLookbackSecondsFromEnv({ ACCESS_TOKEN_TTL_SECONDS: 'soon' })).toBe(3600);
  });
});
