import type {
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type AccessTokenClaims, signAccessToken } from '../../../src/core/tokens/access-tokens';
import { apiTokenDigest, newApiTokenSecret } from '../../../src/core/tokens/api-token-secret';
import type { ApiTokenRecord } from '../../../src/core/tokens/api-tokens';
import { ID_TOKEN_TYPE } from '../../../src/core/tokens/id-tokens';
import { signJwt } from '../../../src/core/tokens/jwt-signing';
import { currentSigner, newSigningKeySet, publicJwks } from '../../../src/core/tokens/signing-keys';
import { defaultScopeCatalog } from '../../../src/core/users/roles';
import { type AuthorizerOptions, createAuthorizer } from '../../../src/http/authorizer';
import type { ApiTokenState } from '../../../src/store/api-token-state';

const ISSUER = 'https://auth.example.com';
const NOW = 1_800_000_000;
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/things/1';

const keySet = newSigningKeySet(NOW * 1000);
const signer = currentSigner(keySet);

const claims: AccessTokenClaims = {
  iss: ISSUER,
  aud: ISSUER,
  sub: 'user-1',
  jti: 'jti-1',
  iat: NOW,
  exp: NOW + 900,
  scope: 'profile tokens:read',
  role: 'editor',
  username: 'ann',
  email: 'ann@example.com',
  user_type: 'human',
  groups: ['a'],
  sid: 'sid-1',
};
const token = signAccessToken(signer, claims);

const authorizer = (overrides: Partial<AuthorizerOptions> = {}) => {
  let loads = 0;
  const handler = createAuthorizer({
    issuer: ISSUER,
    audience: ISSUER,
    now: () => NOW * 1000,
    loadKeys: async () => {
      loads++;
      return publicJwks(keySet).keys;
    },
    denyWithReason: false,
    defaultOwnerScope: null,
    isSessionRevoked: async () => false,
    revocationCacheSeconds: 10,
    apiTokens: { load: async () => null, markUsed: async () => undefined },
    scopes: defaultScopeCatalog,
    mfaRequiredRoles: [],
    ...overrides,
  });
  return { handler, loads: () => loads };
};

const httpEvent = (authorization?: string): APIGatewayRequestAuthorizerEventV2 =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: METHOD_ARN,
    identitySource: authorization ? [authorization] : [],
    routeKey: 'GET /things/{id}',
    rawPath: '/things/1',
    rawQueryString: '',
    headers: authorization ? { authorization } : {},
    requestContext: {},
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

const tokenEvent = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken,
  methodArn: METHOD_ARN,
});

const restRequestEvent = (authorization: string): APIGatewayRequestAuthorizerEvent =>
  ({
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers: { Authorization: authorization },
  }) as unknown as APIGatewayRequestAuthorizerEvent;

const expectedContext = {
  principal: 'user',
  sub: 'user-1',
  role: 'editor',
  scope: 'profile tokens:read',
  sid: 'sid-1',
  jti: 'jti-1',
  username: 'ann',
  email: 'ann@example.com',
  user_type: 'human',
  client_id: '',
};

describe('authorizer', () => {
  it('HTTP API 2.0: allows a valid token with the principal in context', async () => {
    const { handler } = authorizer();
    expect(await handler(httpEvent(`Bearer ${token}`))).toEqual({
      isAuthorized: true,
      context: expectedContext,
    });
    expect(await handler(httpEvent(`bearer   ${token}`))).toMatchObject({ isAuthorized: true });
  });

  it('REST TOKEN: answers an IAM policy for the whole stage', async () => {
    const { handler } = authorizer();
    expect(await handler(tokenEvent(`Bearer ${token}`))).toEqual({
      principalId: 'user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/*',
          },
        ],
      },
      context: expectedContext,
    });
  });

  it('REST REQUEST: reads the Authorization header in any case', async () => {
    const { handler } = authorizer();
    const result = (await handler(restRequestEvent(`Bearer ${token}`))) as {
      policyDocument: { Statement: { Effect: string }[] };
    };
    expect(result.policyDocument.Statement[0]?.Effect).toBe('Allow');
  });

  it.each([
    ['no header', undefined],
    ['another scheme', `Basic ${token}`],
    ['a bare token', token],
    ['garbage', 'Bearer nonsense'],
    ['a tampered token', `Bearer ${token.slice(0, -4)}AAAA`],
  ])('denies %s in every shape', async (_label, header) => {
    const { handler } = authorizer();
    expect(await handler(httpEvent(header))).toMatchObject({
      isAuthorized: false,
      context: { error_code: 'token_invalid' },
    });
    if (header) {
      // REST answers 401 only when the authorizer throws exactly 'Unauthorized'.
      await expect(handler(tokenEvent(header))).rejects.toThrow(/^Unauthorized$/);
      await expect(handler(restRequestEvent(header))).rejects.toThrow(/^Unauthorized$/);
    }
  });

  it('allows an RS256 access token (ACCESS_TOKEN_SIGNING_ALG=RS256) and denies an ID token of either key', async () => {
    const { handler } = authorizer({ denyWithReason: true });
    const rs256 = signAccessToken(currentSigner(keySet, 'RS256'), claims);
    expect(await handler(httpEvent(`Bearer ${rs256}`))).toEqual({
      isAuthorized: true,
      context: expectedContext,
    });
    // The same claims under the ID token's `typ: JWT`, by each published key: never a bearer.
    for (const alg of ['RS256', 'ES256'] as const) {
      const idToken = signJwt(currentSigner(keySet, alg), ID_TOKEN_TYPE, claims);
      expect(await handler(httpEvent(`Bearer ${idToken}`))).toMatchObject({
        isAuthorized: true,
        context: { error_code: 'token_invalid' },
      });
    }
  });

  it('tells an expired token apart', async () => {
    const { handler } = authorizer({ now: () => (NOW + 2000) * 1000 });
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({
      isAuthorized: false,
      context: { error_code: 'token_expired' },
    });
  });

  it('in deny-with-reason mode lets the refusal through for the handler to answer', async () => {
    const { handler } = authorizer({ denyWithReason: true });
    expect(await handler(httpEvent('Bearer nonsense'))).toMatchObject({
      isAuthorized: true,
      context: { error_code: 'token_invalid' },
    });
    expect(await handler(httpEvent())).toEqual({
      isAuthorized: true,
      context: { principal: 'none' },
    });
  });

  it('acts as the default owner without a token only when authentication is off', async () => {
    const { handler } = authorizer({ defaultOwnerScope: 'profile users:read' });
    expect(await handler(httpEvent())).toMatchObject({
      isAuthorized: true,
      context: { principal: 'default_owner', role: 'owner', scope: 'profile users:read' },
    });
    // A token that is sent is still verified.
    expect(await handler(httpEvent('Bearer nonsense'))).toMatchObject({ isAuthorized: false });
  });

  it('loads keys once, and again (rate-limited) only for an unknown kid', async () => {
    let now = NOW * 1000;
    let published = publicJwks(keySet).keys;
    let loads = 0;
    const handler = createAuthorizer({
      issuer: ISSUER,
      audience: ISSUER,
      now: () => now,
      denyWithReason: false,
      defaultOwnerScope: null,
      isSessionRevoked: async () => false,
      revocationCacheSeconds: 10,
      apiTokens: { load: async () => null, markUsed: async () => undefined },
      scopes: defaultScopeCatalog,
      mfaRequiredRoles: [],
      loadKeys: async () => {
        loads++;
        return published;
      },
    });
    for (let i = 0; i < 5; i++) await handler(httpEvent(`Bearer ${token}`));
    expect(loads).toBe(1);
    const rotated = newSigningKeySet(now);
    const newToken = signAccessToken(currentSigner(rotated), claims);
    published = [...publicJwks(rotated).keys, ...published];
    // Within the reload interval an unknown kid is refused without a reload.
    expect(await handler(httpEvent(`Bearer ${newToken}`))).toMatchObject({ isAuthorized: false });
    expect(loads).toBe(1);
    now += 31_000;
    expect(await handler(httpEvent(`Bearer ${newToken}`))).toMatchObject({ isAuthorized: true });
    expect(loads).toBe(2);
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({ isAuthorized: true });
  });

  it('refuses a token whose session has ended, reading each session at most once per window', async () => {
    let now = NOW * 1000;
    const revoked = new Set<string>();
    const reads: string[] = [];
    const { handler } = authorizer({
      now: () => now,
      revocationCacheSeconds: 10,
      isSessionRevoked: async (sid) => {
        reads.push(sid);
        return revoked.has(sid);
      },
    });
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({ isAuthorized: true });
    revoked.add('sid-1');
    // Within the window the remembered state stands, without another read.
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({ isAuthorized: true });
    expect(reads).toEqual(['sid-1']);
    now += 10_000;
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({
      isAuthorized: false,
      context: { error_code: 'token_invalid' },
    });
    expect(reads).toEqual(['sid-1', 'sid-1']);
  });

  describe('with the revocation feed', () => {
    const withFeed = (feed: { sid: string; at: number }[], reads: string[], clock: () => number) =>
      authorizer({
        now: clock,
        denyWithReason: true,
        revocationCacheSeconds: 10,
        isSessionRevoked: async (sid) => {
          reads.push(sid);
          return feed.some((entry) => entry.sid === sid);
        },
        revocationFeed: {
          lookbackSeconds: 1200,
          read: async (since) => {
            if (feed.some((entry) => entry.sid === 'down')) throw new Error('feed down');
            return feed.filter((entry) => entry.at >= since);
          },
        },
      }).handler;

    it('decides a never-seen session with no session read, and learns its end within the window', async () => {
      let now = NOW * 1000;
      const feed: { sid: string; at: number }[] = [];
      const reads: string[] = [];
      const handler = withFeed(feed, reads, () => now);
      expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({
        isAuthorized: true,
        context: { sid: 'sid-1' },
      });
      feed.push({ sid: 'sid-1', at: now });
      now += 10_000;
      expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({
        context: { error_code: 'token_invalid' },
      });
      expect(reads).toEqual([]);
    });

    it("reads the session of a token issued before the feed's coverage", async () => {
      const reads: string[] = [];
      const old = signAccessToken(signer, { ...claims, sid: 'sid-old', iat: NOW - 1300 });
      const handler = withFeed([], reads, () => NOW * 1000);
      expect(await handler(httpEvent(`Bearer ${old}`))).toMatchObject({
        context: { sid: 'sid-old' },
      });
      expect(reads).toEqual(['sid-old']);
    });

    it('answers unavailable when the feed cannot be read', async () => {
      const handler = withFeed([{ sid: 'down', at: 0 }], [], () => NOW * 1000);
      expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({
        isAuthorized: true,
        context: { error_code: 'unavailable' },
      });
    });
  });

  it('denies when the session state cannot be read', async () => {
    const { handler } = authorizer({
      isSessionRevoked: async () => Promise.reject(new Error('down')),
    });
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({ isAuthorized: false });
  });

  describe('API tokens', () => {
    const secret = newApiTokenSecret();
    const { hash, tokenId } = apiTokenDigest(secret);
    const record = (overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord => ({
      tokenId,
      hash,
      name: 't',
      scopes: null,
      userId: 'user-9',
      createdBy: 'user-9',
      createdAt: NOW * 1000,
      expiresAt: null,
      lifetimeSeconds: null,
      renewable: false,
      lastUsedAt: null,
      revokedAt: null,
      ...overrides,
    });
    const withToken = (state: ApiTokenState | null, now = NOW * 1000) => {
      const loads: string[] = [];
      const marked: string[] = [];
      const { handler } = authorizer({
        now: () => now,
        apiTokens: {
          load: async (id) => {
            loads.push(id);
            return state;
          },
          markUsed: async (token) => {
            marked.push(token.tokenId);
          },
        },
      });
      return { handler, loads, marked };
    };
    const owner = { role: 'editor' as const, status: 'active' as const, type: 'human' as const };

    it("allows an unscoped token with its owner's current grants, and stamps its use", async () => {
      const { handler, loads, marked } = withToken({ token: record(), owner });
      const result = await handler(httpEvent(`Bearer ${secret}`));
      expect(result).toMatchObject({
        isAuthorized: true,
        context: { sub: 'user-9', role: 'editor', jti: tokenId, sid: '', token_type: 'api_token' },
      });
      expect((result as unknown as { context: { scope: string } }).context.scope).toBe(
        defaultScopeCatalog.editor.join(' '),
      );
      await handler(httpEvent(`Bearer ${secret}`));
      expect(loads).toEqual([tokenId]);
      // Each use, cached or not, is offered for a stamp (the store writes hourly, or on a new
      // address: test/integration/activity-token-stamp.test.ts).
      expect(marked).toEqual([tokenId, tokenId]);
    });

    it("narrows a scoped token to its owner's current grants", async () => {
      const { handler } = withToken({
        token: record({ scopes: ['profile', 'users:read'] }),
        owner,
      });
      expect(await handler(httpEvent(`Bearer ${secret}`))).toMatchObject({
        context: { scope: 'profile' },
      });
    });

    it.each([
      ['unknown', null],
      ['revoked', { token: record({ revokedAt: NOW * 1000 }), owner }],
      ['of a deleted user', { token: record(), owner: null }],
      ['of a disabled user', { token: record(), owner: { ...owner, status: 'disabled' as const } }],
      ['with another hash', { token: record({ hash: 'x'.repeat(hash.length) }), owner }],
    ])('denies a token %s', async (_label, state) => {
      const { handler, marked } = withToken(state as ApiTokenState | null);
      expect(await handler(httpEvent(`Bearer ${secret}`))).toMatchObject({
        isAuthorized: false,
        context: { error_code: 'token_invalid' },
      });
      expect(marked).toEqual([]);
    });

    it('tells an expired token apart', async () => {
      const { handler } = withToken({ token: record({ expiresAt: NOW * 1000 - 1 }), owner });
      expect(await handler(httpEvent(`Bearer ${secret}`))).toMatchObject({
        context: { error_code: 'token_expired' },
      });
    });

    it('refuses a malformed secret without a lookup', async () => {
      const { handler, loads } = withToken({ token: record(), owner });
      expect(
        await handler(
          httpEvent(`Bearer ${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`),
        ),
      ).toMatchObject({
        isAuthorized: false,
      });
      expect(loads).toEqual([]);
    });
  });

  describe('in front of another API, with scopes per route', () => {
    const routeScopes = {
      'GET /things/{id}': ['tokens:read'],
      'POST /things': ['tokens:write'],
      'DELETE /things/{id}': ['profile', 'tokens:read'],
    };
    const routeEvent = (routeKey: string) => ({ ...httpEvent(`Bearer ${token}`), routeKey });

    it('HTTP API: allows a route whose scopes the token holds, denies the others', async () => {
      const { handler } = authorizer({ routeScopes });
      expect(await handler(routeEvent('GET /things/{id}'))).toMatchObject({ isAuthorized: true });
      expect(await handler(routeEvent('DELETE /things/{id}'))).toMatchObject({
        isAuthorized: true,
      });
      expect(await handler(routeEvent('POST /things'))).toMatchObject({
        isAuthorized: false,
        context: { error_code: 'forbidden' },
      });
      // A route nobody listed is refused, whatever the token holds.
      expect(await handler(routeEvent('GET /unlisted'))).toMatchObject({ isAuthorized: false });
    });

    it('REST: allows exactly the routes the token may call, so a cached policy fits them all', async () => {
      const { handler } = authorizer({ routeScopes });
      const result = (await handler(restRequestEvent(`Bearer ${token}`))) as {
        policyDocument: { Statement: { Effect: string; Resource: string[] }[] };
      };
      expect(result.policyDocument.Statement[0]).toMatchObject({
        Effect: 'Allow',
        Resource: [
          'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/things/*',
          'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/DELETE/things/*',
        ],
      });
      const none = (await handler(
        restRequestEvent(`Bearer ${signAccessToken(signer, { ...claims, scope: 'cli' })}`),
      )) as { policyDocument: { Statement: { Effect: string }[] } };
      expect(none.policyDocument.Statement[0]?.Effect).toBe('Deny');
    });

    it('checks the API key first when one is required', async () => {
      const asked: (string | undefined)[] = [];
      const { handler } = authorizer({
        routeScopes,
        isKnownApiKey: async (key) => {
          asked.push(key);
          return key === 'gh_known';
        },
      });
      const withKey = (key?: string) => {
        const event = routeEvent('GET /things/{id}');
        return { ...event, headers: { ...event.headers, ...(key ? { 'X-Api-Key': key } : {}) } };
      };
      expect(await handler(withKey('gh_known'))).toMatchObject({ isAuthorized: true });
      expect(await handler(withKey('gh_other'))).toMatchObject({
        isAuthorized: false,
        context: { error_code: 'api_key_invalid' },
      });
      expect(await handler(withKey())).toMatchObject({ isAuthorized: false });
      expect(asked).toEqual(['gh_known', 'gh_other', undefined]);
      // REST: a refused key is a 403 policy, not the 401 of a bad token.
      const rest = (await handler({
        ...restRequestEvent(`Bearer ${token}`),
        headers: { Authorization: `Bearer ${token}`, 'x-api-key': 'gh_other' },
      } as APIGatewayRequestAuthorizerEvent)) as {
        policyDocument: { Statement: { Effect: string }[] };
      };
      expect(rest.policyDocument.Statement[0]?.Effect).toBe('Deny');
    });
  });

  it('denies when the keys cannot be loaded', async () => {
    const { handler } = authorizer({
      loadKeys: async () => Promise.reject(new Error('DynamoDB down')),
    });
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({ isAuthorized: false });
  });
});
