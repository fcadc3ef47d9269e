import { isWellKnown, standingOrigins } from '../cors-policy';
import { header } from '../http-event';
import type { PipelineMiddleware, PipelineRequest } from './state';

/** Contract, CORS: a browser app may read these from an answer it was shared. */
const EXPOSED = 'Retry-After, WWW-Authenticate';

/** Origins that may read the answer: the route's standing ones, and those the action shared. */
const sharedOrigins = ({ internal }: PipelineRequest): string[] => {
  const { route, deps } = internal;
  const standing =
    route && deps
      ? standingOrigins(deps.config, route.path, {
          redirectOrigins: route.sharedWithAllowedOrigins === true,
        })
      : [];
  return [...standing, ...(internal.corsOrigins ?? [])];
};

const share = async (request: PipelineRequest) => {
  const { response } = request;
  const origin = header(request.event, 'origin');
  if (!response || !origin || isWellKnown(request.event.rawPath)) return;
  if (!sharedOrigins(request).includes(origin)) return;
  // A 503 is shared, so the app can honour its Retry-After; an unexpected failure (500) stays
  // opaque: it has nothing the app can act on, and a readable one would tell a page which
  // inputs break the service (test/unit/http/error-leaks.test.ts).
  if (response.statusCode >= 500 && response.statusCode !== 503) return;
  response.headers = {
    ...response.headers,
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED,
    vary: 'Origin',
  };
};

/**
 * CORS on every answer of the JSON API and the browser's /oauth/* endpoints (contract, CORS):
 * CORS_ALLOWED_ORIGINS, ALLOWED_REDIRECT_ORIGINS where the route shares with them, and the
 * origins an action shares (the token's client's). Never credentials mode: no
 * Access-Control-Allow-Credentials, so no cookie rides along. Preflights: ./preflight.ts.
 */
export const cors = (): PipelineMiddleware => ({ after: share, onError: share });
