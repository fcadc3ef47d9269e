import type { RouteScopes } from '../http/authorizer';

/**
 * The example protected API: how another team's API reads Gatehouse's default scope catalog
 * (integrate.ai's scopes). Data only: the CDK construct gives the authorizer each route's
 * scopes, the local server mounts these routes under /example, the handler serves them.
 */
export interface ExampleRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway syntax, relative to the example API's root. */
  path: string;
  /** Every scope the caller's token must hold; the authorizer refuses the call otherwise. */
  scopes: readonly string[];
  summary: string;
}

export const exampleRoutes: readonly ExampleRoute[] = [
  {
    method: 'POST',
    path: '/sessions',
    scopes: ['create_session'],
    summary: 'Create a training session owned by the caller',
  },
  {
    method: 'GET',
    path: '/sessions',
    scopes: ['read_user_session'],
    summary: "List the caller's own sessions",
  },
  {
    method: 'GET',
    path: '/workspace/sessions',
    scopes: ['read_all_session'],
    summary: "List everyone's sessions",
  },
  {
    method: 'GET',
    path: '/sessions/{session_id}',
    scopes: ['read_user_session'],
    summary: 'Read one of your sessions (anyone’s with read_all_session)',
  },
  {
    method: 'POST',
    path: '/sessions/{session_id}/start',
    scopes: ['start_session'],
    summary: 'Start one of your sessions',
  },
  {
    method: 'POST',
    path: '/sessions/{session_id}/cancel',
    scopes: ['cancel_user_session'],
    summary: 'Cancel one of your sessions',
  },
  {
    method: 'DELETE',
    path: '/sessions/{session_id}',
    scopes: ['delete_user_session'],
    summary: 'Delete one of your sessions',
  },
  {
    method: 'POST',
    path: '/models',
    scopes: ['custom_model'],
    summary: 'Register a custom model',
  },
  {
    method: 'GET',
    path: '/models/{model_id}/download',
    scopes: ['model_download'],
    summary: 'Download a model',
  },
];

/** `METHOD /path`, as API Gateway names an HTTP API route. */
export const exampleRouteKey = (route: Pick<ExampleRoute, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/** What the authorizer reads from AUTHORIZER_ROUTE_SCOPES. */
export const exampleRouteScopes: RouteScopes = Object.fromEntries(
  exampleRoutes.map((route) => [exampleRouteKey(route), route.scopes]),
);
