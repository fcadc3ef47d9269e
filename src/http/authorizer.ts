import { createPublicKey, type KeyObject } from 'node:crypto';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { createAccessTokenVerifier, UnknownKeyError } from '../core/access-token-verifier';
import { API_KEY_REFUSAL } from '../core/api-keys';
import { judgeApiToken as judge, parseApiToken } from '../core/api-token-judge';
import { looksLikeApiToken } from '../core/api-token-secret';
import type { ApiTokenRecord } from '../core/api-tokens';
import { type ErrorCode, isGatehouseError } from '../core/errors';
import type { ScopeCatalog } from '../core/roles';
import type { PublicJwk } from '../core/signing-keys';
import type { ApiTokenState } from '../store/api-token-state';
import {
  type AuthorizerContext,
  anonymousContext,
  apiTokenContext,
  contextFromClaims,
  defaultOwnerContext,
  refusalContext,
} from './principal';

/** Route key (`GET /things/{id}`) to every scope a call of it needs. */
export type RouteScopes = Record<string, readonly string[]>;

export type AuthorizerEvent =
  | APIGatewayTokenAuthorizerEvent
  | APIGatewayRequestAuthorizerEvent
  | APIGatewayRequestAuthorizerEventV2;

export type AuthorizerResult =
  | APIGatewayAuthorizerResult
  | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

export interface AuthorizerOptions {
  issuer: string;
  audience: string;
  now: () => number;
  /** The published public keys; read at cold start and when an unknown `kid` appears. */
  loadKeys: () => Promise<PublicJwk[]>;
  /**
   * Gatehouse's own HTTP API: always let the request through, carrying either the principal
   * or the refusal, so the handler answers the contract's 401 body (HTTP APIs cannot shape
   * an authorizer's denial). Every other API gets a plain deny.
   */
  denyWithReason: boolean;
  /** Set when REQUIRE_USER_AUTHENTICATION=0: requests without a token act as the owner. */
  defaultOwnerScope: string | null;
  /**
   * Whether a sign-in session has ended (sign-out, disable, role change, password reset,
   * deletion): read at most once per session per `revocationCacheSeconds`.
   */
  isSessionRevoked: (sid: string) => Promise<boolean>;
  revocationCacheSeconds: number;
  /** API tokens (`sat_…`): read at most once per token per `revocationCacheSeconds`. */
  apiTokens: {
    load: (tokenId: string) => Promise<ApiTokenState | null>;
    markUsed: (token: ApiTokenRecord, at: number) => Promise<void>;
  };
  /** The grants that bound every API token's scopes at each use. */
  scopes: ScopeCatalog;
  /**
   * Another team's API (lib/gatehouse-authorizer.ts): the scopes each route needs, by route
   * key (`GET /things/{id}`). A route not listed is refused. Null on Gatehouse's own API,
   * whose handlers check scopes themselves.
   */
  routeScopes?: RouteScopes | null;
  /** With REQUIRE_API_KEY=1 on another team's API: whether `x-api-key` names a client. */
  isKnownApiKey?: ((key: string | undefined) => Promise<boolean>) | null;
  cacheSize?: number;
  /** How soon an unknown `kid` may trigger another key reload. */
  keyReloadIntervalMs?: number;
}

type Decision =
  | { allow: true; context: AuthorizerContext }
  | { allow: false; code: ErrorCode; message: string };

const deny = (code: ErrorCode, message: string): Decision => ({ allow: false, code, message });

const bearerToken = (header: string | undefined): string | null => {
  const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
};

const headerValue = (
  headers: Record<string, string | undefined> | null | undefined,
  name: string,
) => {
  if (!headers) return undefined;
  for (const key in headers) if (key.toLowerCase() === name) return headers[key];
  return undefined;
};

/** Any method and resource of the stage: cached allow/deny policies then fit every route. */
const stageWildcard = (methodArn: string): string => {
  // arn:aws:execute-api:region:account:api-id/stage/METHOD/path
  const stageEnd = methodArn.indexOf('/', methodArn.indexOf('/') + 1);
  return stageEnd < 0 ? `${methodArn}/*/*` : `${methodArn.slice(0, stageEnd)}/*/*`;
};

/** `arn:…:api-id/stage/METHOD/path`, with path parameters as wildcards. */
const routeArn = (methodArn: string, routeKey: string): string => {
  const [method = '*', path = '/'] = routeKey.split(' ');
  const stage = stageWildcard(methodArn).slice(0, -'/*/*'.length);
  return `${stage}/${method}${path.replace(/\{[^}]+\}/g, '*')}`;
};

const holdsAll = (context: AuthorizerContext, required: readonly string[]): boolean => {
  const held = (context.scope ?? '').split(' ');
  return required.length > 0 && required.every((scope) => held.includes(scope));
};

/**
 * REST policies: one that fits every route of the stage, or, with route scopes, exactly the
 * routes whose scopes the token holds (API Gateway caches it per token across routes).
 */
const policyResult = (
  methodArn: string,
  decision: Decision,
  routeScopes: RouteScopes | null,
): APIGatewayAuthorizerResult => {
  const resources =
    decision.allow && routeScopes
      ? Object.entries(routeScopes)
          .filter(([, required]) => holdsAll(decision.context, required))
          .map(([key]) => routeArn(methodArn, key))
      : [stageWildcard(methodArn)];
  const allow = decision.allow && resources.length > 0;
  return {
    principalId: decision.allow ? decision.context.sub || 'default_owner' : 'denied',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: allow ? 'Allow' : 'Deny',
          Resource: allow && routeScopes ? resources : stageWildcard(methodArn),
        },
      ],
    },
    context: decision.allow ? decision.context : refusalContext(decision.code, decision.message),
  };
};

/**
 * The Lambda authorizer, answering REST TOKEN, REST REQUEST (and HTTP payload 1.0) and HTTP
 * API 2.0 simple responses. No database call on the token path: keys come from memory.
 */
export const createAuthorizer = (options: AuthorizerOptions) => {
  const keys = new Map<string, KeyObject>();
  let keysLoadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;
  const reloadInterval = options.keyReloadIntervalMs ?? 30_000;

  const reloadKeys = () => {
    loading ??= options
      .loadKeys()
      .then((jwks) => {
        keys.clear();
        for (const jwk of jwks)
          keys.set(jwk.kid, createPublicKey({ key: { ...jwk }, format: 'jwk' }));
        keysLoadedAt = options.now();
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  const verifier = createAccessTokenVerifier((kid) => keys.get(kid), {
    issuer: options.issuer,
    audience: options.audience,
    clockToleranceSeconds: 30,
    now: options.now,
    cacheSize: options.cacheSize ?? 10_000,
  });

  // Any failure is a denial; only our own verdicts carry their message.
  const refusal = (error: unknown): Decision =>
    isGatehouseError(error)
      ? deny(error.code, error.message)
      : deny('token_invalid', 'The access token could not be verified.');

  const sessions = new Map<string, { revoked: boolean; checkedAt: number }>();
  const revocationWindow = options.revocationCacheSeconds * 1000;
  const revokedDecision = deny('token_invalid', 'The session of this access token has ended.');

  const checkSession = async (sid: string, context: AuthorizerContext): Promise<Decision> => {
    const revoked = await options.isSessionRevoked(sid);
    // Bounded: the whole map goes when full; every entry is only a cache anyway.
    if (sessions.size >= (options.cacheSize ?? 10_000)) sessions.clear();
    sessions.set(sid, { revoked, checkedAt: options.now() });
    return revoked ? revokedDecision : { allow: true, context };
  };

  /** Synchronous on the hot path: only a key reload or a session check makes it wait. */
  const decideToken = (token: string, reloaded = false): Decision | Promise<Decision> => {
    try {
      const claims = verifier.verify(token);
      const context = contextFromClaims(claims);
      // Tokens without a session (none are issued yet) have no session to check.
      if (!claims.sid) return { allow: true, context };
      const known = sessions.get(claims.sid);
      if (known && options.now() - known.checkedAt < revocationWindow) {
        return known.revoked ? revokedDecision : { allow: true, context };
      }
      return checkSession(claims.sid, context).catch(refusal);
    } catch (error) {
      const staleKeys = options.now() - keysLoadedAt > reloadInterval;
      if (error instanceof UnknownKeyError && staleKeys && !reloaded) {
        return reloadKeys().then(() => decideToken(token, true), refusal);
      }
      return refusal(error);
    }
  };

  const apiTokenStates = new Map<string, { state: ApiTokenState | null; checkedAt: number }>();
  const apiTokenRefused = deny('token_invalid', 'The API token is invalid, expired or revoked.');

  /** The core's judge at each use (a demotion shrinks every token); only the state is cached. */
  const judgeApiToken = (hash: string, state: ApiTokenState | null): Decision => {
    const verdict = judge(options.scopes, hash, state, options.now());
    if (verdict.valid) {
      const { token, owner, scopes } = verdict;
      return { allow: true, context: apiTokenContext(token, owner, scopes.join(' ')) };
    }
    return verdict.reason === 'expired'
      ? deny('token_expired', 'The API token has expired.')
      : apiTokenRefused;
  };

  const decideApiToken = (secret: string): Decision | Promise<Decision> => {
    const parsed = parseApiToken(secret);
    if (!parsed) return apiTokenRefused;
    const { hash, tokenId } = parsed;
    const known = apiTokenStates.get(tokenId);
    if (known && options.now() - known.checkedAt < revocationWindow) {
      return judgeApiToken(hash, known.state);
    }
    return options.apiTokens
      .load(tokenId)
      .then(async (state) => {
        if (apiTokenStates.size >= (options.cacheSize ?? 10_000)) apiTokenStates.clear();
        apiTokenStates.set(tokenId, { state, checkedAt: options.now() });
        const decision = judgeApiToken(hash, state);
        if (decision.allow && state) await options.apiTokens.markUsed(state.token, options.now());
        return decision;
      })
      .catch(refusal);
  };

  const decide = (authorization: string | undefined): Decision | Promise<Decision> => {
    if (!authorization) {
      if (options.defaultOwnerScope !== null) {
        return { allow: true, context: defaultOwnerContext(options.defaultOwnerScope) };
      }
      // With reasons, the handler decides: optional routes take anonymous callers.
      return options.denyWithReason
        ? { allow: true, context: anonymousContext }
        : deny('token_invalid', 'Authentication is required: send Authorization: Bearer <token>.');
    }
    const token = bearerToken(authorization);
    if (!token) {
      // Another scheme (OAuth clients' Basic) is the handler's to judge; protected routes
      // refuse an anonymous caller anyway.
      const otherScheme = !/^bearer\b/i.test(authorization);
      return options.denyWithReason && otherScheme
        ? { allow: true, context: anonymousContext }
        : deny('token_invalid', 'The Authorization header must be "Bearer <token>".');
    }
    if (looksLikeApiToken(token)) return decideApiToken(token);
    if (keysLoadedAt < 0) return reloadKeys().then(() => decideToken(token, true), refusal);
    return decideToken(token);
  };

  const routeScopes = options.routeScopes ?? null;
  const apiKeyRefused = deny('api_key_invalid', API_KEY_REFUSAL);

  /** The API key first (403), then the token; the route's scopes are the caller's to apply. */
  const decideRequest = (
    headers: Record<string, string | undefined> | null | undefined,
  ): Decision | Promise<Decision> => {
    const isKnownApiKey = options.isKnownApiKey;
    // Synchronous when no key is required: the hot path awaits nothing it does not need.
    if (!isKnownApiKey) return decide(headerValue(headers, 'authorization'));
    return isKnownApiKey(headerValue(headers, 'x-api-key')).then((known) =>
      known ? decide(headerValue(headers, 'authorization')) : apiKeyRefused,
    );
  };

  /**
   * REST answers 401 only when the authorizer throws 'Unauthorized': a bad token on another
   * team's API gets that; a refused key or missing scope gets the policy's 403.
   */
  const restResult = (methodArn: string, decision: Decision): APIGatewayAuthorizerResult => {
    const tokenRefused = !decision.allow && decision.code !== 'api_key_invalid';
    if (tokenRefused && !options.denyWithReason) throw new Error('Unauthorized');
    return policyResult(methodArn, decision, routeScopes);
  };

  return async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    if (event.type === 'TOKEN') {
      return restResult(event.methodArn, await decide(event.authorizationToken));
    }
    if ('version' in event && event.version === '2.0') {
      let decision = await decideRequest(event.headers);
      if (decision.allow && routeScopes) {
        const required = routeScopes[event.routeKey];
        if (!required || !holdsAll(decision.context, required)) {
          decision = deny('forbidden', `This route needs the ${required?.join(' ')} scope.`);
        }
      }
      if (decision.allow) return { isAuthorized: true, context: decision.context };
      const context = refusalContext(decision.code, decision.message);
      return { isAuthorized: options.denyWithReason, context };
    }
    const request = event as APIGatewayRequestAuthorizerEvent;
    return restResult(request.methodArn, await decideRequest(request.headers));
  };
};
