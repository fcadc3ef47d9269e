import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { RequestMeta } from '../core/audit/audit';
import type { CoreDeps } from '../core/shared/deps';
import { GatehouseError } from '../core/shared/errors';
import { requestOrigin } from '../core/users/credential-lineage';
import { findUser } from '../core/users/user-listing';
import type { Actor } from '../core/users/user-policy';
import { asRequest } from '../store/request-deadline';
import { appDeps } from './composition';
import { oauthPreflightRoute } from './cors-policy';
import type { ErrorDialect } from './error-answer';
import { type HttpEvent, header } from './http-event';
import { withInvocationLog } from './log-context';
import { apiKey } from './middleware/api-key';
import { coreDeps } from './middleware/core-deps';
import { cors } from './middleware/cors';
import { errors } from './middleware/errors';
import { preflight } from './middleware/preflight';
import { principal } from './middleware/principal';
import { requestBody } from './middleware/request-body';
import { requestContext } from './middleware/request-context';
import { requestLog } from './middleware/request-log';
import { routeOf } from './middleware/route';
import { scope } from './middleware/scope';
import { needs, type PipelineMiddleware, type PipelineState } from './middleware/state';
import { checkedPathParameters } from './path-parameters';
import type { Principal } from './principal';
import type { HttpResult } from './responses';
import {
  type HandlerName,
  type Route,
  type RouteKeyOf,
  routeKey,
  routes,
  speaksOAuth,
} from './routes';

export type { HttpEvent } from './http-event';

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
  /** Lets browsers on these origins read the answer, error or not (CORS). */
  shareWith: (origins: string[]) => void;
}

export type Action = (request: ActionRequest) => Promise<HttpResult>;

/** Errors in RFC 6749's shape on `/oauth/*`; a page to a browser on its redirect flows. */
const dialectOf = (route: Route | undefined, accept: string | undefined): ErrorDialect => {
  if (route && speaksOAuth(route)) return 'oauth';
  return route?.browser && /^\s*text\/html\b/i.test(accept ?? '') ? 'html' : 'json';
};

/** One action per route of function `N`: a missing or misspelled route key fails typecheck. */
export type ActionsOf<N extends HandlerName> = { readonly [K in RouteKeyOf<N>]: Action };

export const requirePrincipal = (request: ActionRequest): Principal => {
  if (!request.principal) throw new GatehouseError('token_invalid', 'Authentication is required.');
  return request.principal;
};

/**
 * The caller as an actor of the core, as the store has them now (not as their token says).
 * `readOnly`: the action makes nothing, so the credential's origin (one more read, for what a
 * request makes: credential-lineage.ts) is left out; absent, it counts as unknown.
 */
export const requireActor = async (
  request: ActionRequest,
  { readOnly = false }: { readOnly?: boolean } = {},
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
  if (readOnly) return { kind: 'user', user, tokenId: principal.jti || null };
  // Admin influence lineage: what this request makes inherits its credential's origin.
  const origin = await requestOrigin(request.deps, {
    sid: principal.sid,
    tokenId: principal.jti || null,
  });
  return { kind: 'user', user, tokenId: principal.jti || null, origin };
};

export interface HandlerOptions {
  deps?: () => CoreDeps;
  /** Settings read once before the dependencies are built (secrets, on AWS). */
  loadSettings?: () => Promise<void>;
  /** Runs once per cold start, before the first request is served. */
  onColdStart?: (deps: CoreDeps) => Promise<void>;
}

/**
 * One Lambda's handler: `actions` must cover exactly the route table's routes for `name`.
 * Each invocation runs with its log fields (log-context.ts). The middlewares, in order: log
 * line and metrics, CORS, errors (in the route's dialect), CORS preflight, route, request
 * metadata and cookies, dependencies, API key, principal, scope, query and body.
 */
export const createHandler = <N extends HandlerName>(
  name: N,
  routeActions: ActionsOf<N>,
  { deps = appDeps, loadSettings, onColdStart }: HandlerOptions = {},
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
  // middy hands the handler only the event: the middlewares' findings travel beside it.
  const prepared = new WeakMap<HttpEvent, ActionRequest>();
  const actionRequest: PipelineMiddleware = {
    before: async (request) => {
      const { event, internal } = request;
      prepared.set(event, {
        deps: needs(request, 'deps'),
        body: internal.body,
        principal: internal.principal ?? null,
        // After the principal and scope checks: a caller without them learns nothing here.
        pathParameters: checkedPathParameters(event.pathParameters ?? {}),
        query: internal.query,
        authorization: header(event, 'authorization') ?? null,
        cookies: needs(request, 'cookies'),
        origin: header(event, 'origin') ?? null,
        meta: needs(request, 'meta'),
        shareWith: (origins) => {
          internal.corsOrigins = [...(internal.corsOrigins ?? []), ...origins];
        },
      });
    },
  };

  const pipeline = middy<HttpEvent, HttpResult, Error, Context, PipelineState>()
    .use(requestLog())
    .use(cors())
    .use(errors(({ internal, event }) => dialectOf(internal.route, header(event, 'accept'))))
    .use(preflight({ deps, readsClients: name === oauthPreflightRoute.function }))
    .use(routeOf(byKey))
    .use(requestContext())
    .use(coreDeps({ deps, loadSettings, onColdStart }))
    .use(apiKey({ exempt: name === 'discovery' }))
    .use(principal())
    .use(scope())
    .use(requestBody())
    .use(actionRequest)
    .handler(async (event) => {
      const request = prepared.get(event);
      const action = actions[event.routeKey];
      if (!request || !action) throw new Error(`pipeline: ${event.routeKey} was not prepared`);
      return action(request);
    });
  // One deadline for every AWS call of the request, from its arrival (request-deadline.ts).
  return withInvocationLog((event: HttpEvent, context: Context) =>
    asRequest(() => pipeline(event, context)),
  );
};
