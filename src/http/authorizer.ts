import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { API_KEY_REFUSAL } from '../core/tokens/api-keys';
import {
  type CallerDecisionOptions,
  createCallerDecision,
  type Decision,
  deny,
  type OriginOf,
} from './caller-decision';
import { countMetric, flushMetrics } from './metrics';
import { type AuthorizerContext, refusalContext } from './principal';

/** Route key (`GET /things/{id}`) to every scope a call of it needs. */
export type RouteScopes = Record<string, readonly string[]>;

export type AuthorizerEvent =
  | APIGatewayTokenAuthorizerEvent
  | APIGatewayRequestAuthorizerEvent
  | APIGatewayRequestAuthorizerEventV2;

export type AuthorizerResult =
  | APIGatewayAuthorizerResult
  | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

export interface AuthorizerOptions extends CallerDecisionOptions {
  /**
   * Another team's API (lib/gatehouse-authorizer.ts): the scopes each route needs, by route
   * key (`GET /things/{id}`). A route not listed is refused. Null on Gatehouse's own API,
   * whose handlers check scopes themselves.
   */
  routeScopes?: RouteScopes | null;
  /** With REQUIRE_API_KEY=1 on another team's API: whether `x-api-key` names a client. */
  isKnownApiKey?: ((key: string | undefined) => Promise<boolean>) | null;
}

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

/** The one count of an answer: what the gateway is told (deny-with-reason refusals are denies). */
const countVerdict = (allowed: boolean) =>
  countMetric(allowed ? 'AuthorizerAllow' : 'AuthorizerDeny');

/**
 * The Lambda authorizer, answering REST TOKEN, REST REQUEST (and HTTP payload 1.0) and HTTP
 * API 2.0 simple responses, over the caller's decision (caller-decision.ts).
 */
export const createAuthorizer = (options: AuthorizerOptions) => {
  const decide = createCallerDecision(options);
  const routeScopes = options.routeScopes ?? null;
  const apiKeyRefused = deny('api_key_invalid', API_KEY_REFUSAL);

  /** The API key first (403), then the token; the route's scopes are the caller's to apply. */
  const decideRequest = (
    headers: Record<string, string | undefined> | null | undefined,
    origin: OriginOf,
  ): Decision | Promise<Decision> => {
    const isKnownApiKey = options.isKnownApiKey;
    // Synchronous when no key is required: the hot path awaits nothing it does not need.
    if (!isKnownApiKey) return decide(headerValue(headers, 'authorization'), origin);
    return isKnownApiKey(headerValue(headers, 'x-api-key')).then((known) =>
      known ? decide(headerValue(headers, 'authorization'), origin) : apiKeyRefused,
    );
  };

  /**
   * REST answers 401 only when the authorizer throws 'Unauthorized': a bad token on another
   * team's API gets that; a refused key or missing scope gets the policy's 403.
   */
  const restResult = (methodArn: string, decision: Decision): APIGatewayAuthorizerResult => {
    const tokenRefused = !decision.allow && decision.code !== 'api_key_invalid';
    if (tokenRefused && !options.denyWithReason) {
      countVerdict(false);
      throw new Error('Unauthorized');
    }
    const result = policyResult(methodArn, decision, routeScopes);
    countVerdict(result.policyDocument.Statement.every((s) => s.Effect === 'Allow'));
    return result;
  };

  /** The HTTP API 2.0 simple response: deny-with-reason refusals pass, carrying the refusal. */
  const simpleResult = (routeKey: string, decided: Decision): AuthorizerResult => {
    let decision = decided;
    if (decision.allow && routeScopes) {
      const required = routeScopes[routeKey];
      if (!required || !holdsAll(decision.context, required)) {
        decision = deny('forbidden', `This route needs the ${required?.join(' ')} scope.`);
      }
    }
    countVerdict(decision.allow);
    if (decision.allow) return { isAuthorized: true, context: decision.context };
    const context = refusalContext(decision.code, decision.message);
    return { isAuthorized: options.denyWithReason, context };
  };

  /** Synchronous when the decision is (a known key, the feed's window): no await on the hot path. */
  const answer = (event: AuthorizerEvent): AuthorizerResult | Promise<AuthorizerResult> => {
    if (event.type === 'TOKEN') {
      const decision = decide(event.authorizationToken);
      return decision instanceof Promise
        ? decision.then((d) => restResult(event.methodArn, d))
        : restResult(event.methodArn, decision);
    }
    if ('version' in event && event.version === '2.0') {
      const decision = decideRequest(event.headers, () => ({
        ip: event.requestContext?.http?.sourceIp || null,
        userAgent: event.requestContext?.http?.userAgent || null,
      }));
      return decision instanceof Promise
        ? decision.then((d) => simpleResult(event.routeKey, d))
        : simpleResult(event.routeKey, decision);
    }
    const request = event as APIGatewayRequestAuthorizerEvent;
    const decision = decideRequest(request.headers, () => ({
      ip: request.requestContext?.identity?.sourceIp || null,
      userAgent: request.requestContext?.identity?.userAgent || null,
    }));
    return decision instanceof Promise
      ? decision.then((d) => restResult(request.methodArn, d))
      : restResult(request.methodArn, decision);
  };

  /** Every answer's count leaves with its invocation, a refusal's throw included. */
  return async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    try {
      const result = answer(event);
      return result instanceof Promise ? await result : result;
    } finally {
      flushMetrics();
    }
  };
};
