import type {
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type AccessTokenClaims, signAccessToken } from '../../src/core/access-tokens';
import { currentSigner, newSigningKeySet, publicJwks } from '../../src/core/signing-keys';
import { type AuthorizerOptions, createAuthorizer } from '../../src/http/authorizer';

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
      const denied = (await handler(tokenEvent(header))) as {
        policyDocument: { Statement: { Effect: string }[] };
      };
      expect(denied.policyDocument.Statement[0]?.Effect).toBe('Deny');
      const deniedRest = (await handler(restRequestEvent(header))) as {
        policyDocument: { Statement: { Effect: string }[] };
      };
      expect(deniedRest.policyDocument.Statement[0]?.Effect).toBe('Deny');
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

  it('denies when the session state cannot be read', async () => {
    const { handler } = authorizer({
      isSessionRevoked: async () => Promise.reject(new Error('down')),
    });
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({ isAuthorized: false });
  });

  it('denies when the keys cannot be loaded', async () => {
    const { handler } = authorizer({
      loadKeys: async () => Promise.reject(new Error('DynamoDB down')),
    });
    expect(await handler(httpEvent(`Bearer ${token}`))).toMatchObject({ isAuthorized: false });
  });
});
