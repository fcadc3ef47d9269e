import { GatehouseError } from '../core/shared/errors';
import { pageRoutes } from '../web/routes';
import { oauthError } from './oauth-errors';
import { errorResult, type HttpResult } from './responses';
import { createRouteMatcher } from './route-match';
import { routes } from './routes';

// The API's routes and the pages' (plain data): a known path of either is 405, not 404.
const matchAnyRoute = createRouteMatcher([...routes, ...pageRoutes]);

/** Every path under `/oauth/` speaks RFC 6749, unknown ones included (OAuth clients parse it). */
const isOAuthPath = (path: string) => path === '/oauth' || path.startsWith('/oauth/');

/**
 * Answers a request no route serves (API Gateway's $default, the local server alike): 405
 * with `Allow` if the path exists, else 404; in RFC 6749 form (`invalid_request`) on `/oauth/*`,
 * in the contract's shape elsewhere.
 */
export const unknownRoute = (method: string, path: string): HttpResult => {
  const match = matchAnyRoute(method, path);
  const oauth = isOAuthPath(path);
  if (match.kind === 'wrong_method') {
    const allow = { allow: [...new Set(match.allowed)].join(', ') };
    if (!oauth) {
      return errorResult('method_not_allowed', 'That method is not allowed on this path.', allow);
    }
    const refusal = new GatehouseError('method_not_allowed', 'Unsupported method.');
    const result = oauthError(refusal);
    return { ...result, headers: { ...result.headers, ...allow } };
  }
  if (oauth) return oauthError(new GatehouseError('not_found', 'Unknown endpoint.'));
  return errorResult('not_found', 'No such route.');
};
