import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, Context } from 'aws-lambda';
import { API_KEY_REFUSAL, createApiKeyCheck } from '../core/api-keys';
import type { RequestMeta } from '../core/audit';
import { findClient } from '../core/client-lookup';
import { requestOrigin } from '../core/credential-lineage';
import { findDefaultOwner } from '../core/default-owner';
import type { CoreDeps } from '../core/deps';
import { GatehouseError, isGatehouseError } from '../core/errors';
import { findUser } from '../core/user-listing';
import type { Actor } from '../core/user-policy';
import { appDeps } from './composition';
import { logger } from './logger';
import {
  fromOAuthProtocolError,
  OAuthProtocolError,
  oauthError,
  oauthServerError,
} from './oauth-errors';
import { type Principal, readContext } from './principal';
import { parseFormBody, parseJsonBody, parseQuery } from './request-body';
import { errorResult, fromGatehouseError, type HttpResult } from './responses';
import { type HandlerName, type Route, type RouteKeyOf, routeKey, routes } from './routes';
import { unknownRoute } from './unknown-route';

export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;

export interface ActionRequest {
  deps: CoreDeps;
  /** Validated against the route's schema. */
  body: unknown;
  /** Null only on public routes, or optional ones called without a token. */
  principal: Principal | null;
  pathParameters: Record<string, string>;
  /** Validated against the route's query schema; empty when it has none. */
  query: unknown;
  /** The raw Authorization header: only `/oauth/*` reads it, for client credentials. */
  authorization: string | null;
  /** Cookies by name (the browser flows: SSO). */
  cookies: Record<string, string>;
  /** The browser's Origin header, for CORS on the token endpoint. */
  origin: string | null;
  meta: RequestMeta;
}

export type Action = (request: ActionRequest) => Promise<HttpResult>;

/** One action per route of function `N`: a missing or misspelled route key fails typecheck. */
export type ActionsOf<N extends HandlerName> = { readonly [K in RouteKeyOf<N>]: Action };

export const requirePrincipal = (request: ActionRequest): Principal => {
  if (!request.principal) throw new GatehouseError('token_invalid', 'Authentication is required.');
  return request.principal;
};

/** The caller as an actor of the core, as the store has them now (not as their token says). */
export const requireActor = async (
  request: ActionRequest,
): Promise<Extract<Actor, { kind: 'user' }>> => {
  const principal = requirePrincipal(request);
  const user = await findUser(request.deps, principal.userId);
  if (user?.status !== 'active') {
    throw new GatehouseError('token_invalid', 'The access token names no active user.');
  }
  // A role change ends the user's sessions; a token still cached as live within the
  // revocation bound must not act (say, mint an API token) with the account's new role.
  if (!principal.actingAsDefaultOwner && principal.role !== user.role) {
    throw new GatehouseError('token_invalid', 'The account’s role has changed: sign in again.');
  }
  // Admin influence lineage: what this request makes inherits its credential's origin.
  const origin = await requestOrigin(request.deps, {
    sid: principal.sid,
    tokenId: principal.jti || null,
  });
  return { kind: 'user', user, tokenId: principal.jti || null, origin };
};

const header = (event: HttpEvent, name: string) => event.headers?.[name] ?? undefined;

/** HTTP API hands cookies over as `name=value` strings; the first of a name wins. */
const parseCookies = (cookies: string[] | undefined): Record<string, string> => {
  const jar: Record<string, string> = {};
  for (const cookie of cookies ?? []) {
    const at = cookie.indexOf('=');
    if (at <= 0) continue;
    const name = cookie.slice(0, at).trim();
    if (!(name in jar)) jar[name] = cookie.slice(at + 1).trim();
  }
  return jar;
};

/** The authenticated caller, by the route's rule; the authorizer has already run. */
const resolvePrincipal = async (
  route: Route,
  event: HttpEvent,
  deps: CoreDeps,
): Promise<Principal | null> => {
  if (route.auth === 'public') return null;
  const reading = readContext(event.requestContext.authorizer?.lambda);
  if (reading.kind === 'refused') throw new GatehouseError(reading.code, reading.message);
  if (reading.kind === 'anonymous') {
    // Fail closed: a protected route never runs without the authorizer's principal.
    if (route.auth === 'optional') return null;
    throw new GatehouseError('token_invalid', 'Authentication is required.');
  }
  const { principal } = reading;
  if (!principal.actingAsDefaultOwner) return principal;
  if (deps.config.requireUserAuthentication) {
    throw new GatehouseError('token_invalid', 'Authentication is required.');
  }
  const owner = await findDefaultOwner(deps);
  if (!owner) throw new GatehouseError('token_invalid', 'The default owner does not exist.');
  return { ...principal, userId: owner.id };
};

const started = new WeakMap<object, number>();

/** One line per request: never a body, header or query string. */
const requestLog: middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> = {
  before: async (request) => {
    started.set(request, performance.now());
  },
  after: async (request) => {
    const { event, response } = request;
    logger.info({
      route: event.routeKey,
      status: response?.statusCode,
      ms: Math.round(performance.now() - (started.get(request) ?? 0)),
      requestId: event.requestContext.requestId,
    });
  },
};

export interface HandlerOptions {
  deps?: () => CoreDeps;
  /** Runs once per cold start, before the first request is served. */
  onColdStart?: (deps: CoreDeps) => Promise<void>;
}

/**
 * One Lambda's handler: `actions` must cover exactly the route table's routes for `name`.
 * Auth (from the authorizer's context), body validation and the contract's error shape are
 * handled here, once for every route.
 */
export const createHandler = <N extends HandlerName>(
  name: N,
  routeActions: ActionsOf<N>,
  { deps = appDeps, onColdStart }: HandlerOptions = {},
) => {
  // Looked up by the event's routeKey, which is any string.
  const actions: Readonly<Record<string, Action | undefined>> = routeActions;
  const served = routes.filter((route) => route.function === name);
  const missing = served.map(routeKey).filter((key) => !actions[key]);
  const extra = Object.keys(actions).filter((key) => !served.some((r) => routeKey(r) === key));
  if (missing.length || extra.length) {
    throw new Error(
      `${name}: actions do not match the route table (missing ${missing}, extra ${extra})`,
    );
  }
  const byKey = new Map(served.map((route) => [routeKey(route), route]));
  let coldStart: Promise<void> | undefined;
  let apiKeyCheck: ((key: string | undefined) => Promise<boolean>) | undefined;
  /** REQUIRE_API_KEY: every route but discovery (JWT libraries fetch it with no key). */
  const assertApiKey = async (route: Route, event: HttpEvent, deps: CoreDeps) => {
    if (!deps.config.requireApiKey || name === 'discovery') return;
    apiKeyCheck ??= createApiKeyCheck({
      isKnownClient: async (id) => (await findClient(deps, id)) !== null,
      now: () => deps.clock.now(),
      cacheSeconds: deps.config.revocationCacheSeconds,
    });
    if (await apiKeyCheck(header(event, 'x-api-key'))) return;
    // `/oauth/*` answers in the RFC's shape, with the contract's status.
    if (route.form) throw new OAuthProtocolError('invalid_client', API_KEY_REFUSAL, 403);
    throw new GatehouseError('api_key_invalid', API_KEY_REFUSAL);
  };

  const handle = async (event: HttpEvent): Promise<HttpResult> => {
    const route = byKey.get(event.routeKey);
    const action = actions[event.routeKey];
    if (!route || !action) return unknownRoute(event.requestContext.http.method, event.rawPath);
    const resolved = deps();
    if (onColdStart) {
      coldStart ??= onColdStart(resolved).catch((error: unknown) => {
        coldStart = undefined; // try again on the next request
        throw error;
      });
      await coldStart;
    }
    await assertApiKey(route, event, resolved);
    const principal = await resolvePrincipal(route, event, resolved);
    if (route.scope && !principal?.scopes.includes(route.scope)) {
      throw new GatehouseError('forbidden', `This needs the ${route.scope} scope.`);
    }
    const query = route.query ? parseQuery(event.rawQueryString ?? '', route.query) : {};
    const raw = {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentType: header(event, 'content-type'),
    };
    const body = route.form
      ? parseFormBody(raw, route.form)
      : route.body
        ? parseJsonBody(raw, route.body)
        : undefined;
    return action({
      deps: resolved,
      body,
      principal,
      pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
      query,
      authorization: header(event, 'authorization') ?? null,
      cookies: parseCookies(event.cookies),
      origin: header(event, 'origin') ?? null,
      meta: {
        ip: event.requestContext.http.sourceIp || null,
        userAgent: event.requestContext.http.userAgent || null,
      },
    });
  };

  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(requestLog)
    .use({
      onError: async (request) => {
        const error = request.error;
        const oauth = byKey.get(request.event.routeKey)?.form !== undefined;
        if (oauth && error instanceof OAuthProtocolError) {
          request.response = fromOAuthProtocolError(error);
          return;
        }
        if (isGatehouseError(error) && error.code !== 'internal') {
          request.response = oauth ? oauthError(error) : fromGatehouseError(error);
          return;
        }
        // Unexpected: log it here, answer nothing of it.
        logger.error({ err: error, route: request.event.routeKey }, 'unhandled error');
        request.response = oauth
          ? oauthServerError()
          : errorResult('internal', 'Something went wrong on our side.');
      },
    })
    .handler(handle);
};
