import type { HttpResult } from './responses';
import { routes } from './routes';

/** Bearer routes whose action shares its answer with the token's client's origins (userinfo). */
const BEARER_SHARED_PATHS = new Set(
  routes.filter((route) => route.sharedWithAllowedOrigins).map((route) => route.path),
);

/**
 * A browser's CORS preflight before sending a bearer to a route that shares its answers: the
 * token's client, and so the origins it may answer, is known only once the request comes.
 * Invariant: a preflight only lets the request be sent (anyone can send it outside a browser);
 * whether the answer may be read stays the route's decision, and with no credentials mode no
 * cookie ever rides along.
 */
export const preflight = (path: string, origin: string | null): HttpResult | null => {
  if (!origin || !BEARER_SHARED_PATHS.has(path)) return null;
  const methods = routes.filter((route) => route.path === path).map((route) => route.method);
  return {
    statusCode: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': 'authorization, content-type, x-api-key',
      'access-control-max-age': '600',
      vary: 'Origin',
    },
  };
};
