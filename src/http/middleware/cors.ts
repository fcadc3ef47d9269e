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

/** `Vary: Origin` added to whatever the answer already varies on. */
const varyOnOrigin = (vary: string | undefined): string =>
  vary && !/(^|,)\s*origin\s*(,|$)/i.test(vary) ? `${vary}, Origin` : (vary ?? 'Origin');

const share = async (request: PipelineRequest) => {
  const { response } = request;
  if (!response || isWellKnown(request.event.rawPath)) return;
  // Invariant: an answer whose CORS headers depend on the Origin says so on EVERY answer (with
  // any origin or none), so no shared cache in front (CloudFront on a custom domain) hands one
  // origin's answer to another.
  response.headers = { ...response.headers, vary: varyOnOrigin(response.headers?.vary) };
  const origin = header(request.event, 'origin');
  if (!origin || !sharedOrigins(request).includes(origin)) return;
  // A 503 is shared, so the app can honour its Retry-After; an unexpected failure (500) stays
  // opaque: it has nothing the app can act on, and a readable one would tell a page which
  // inputs break the service (test/unit/http/error-leaks.test.ts).
  if (response.statusCode >= 500 && response.statusCode !== 503) return;
  response.headers = {
    ...response.headers,
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED,
  };
};

/**
 * CORS on every answer of the JSON API and the browser's /oauth/* endpoints (contract, CORS):
 * CORS_ALLOWED_ORIGINS, ALLOWED_REDIRECT_ORIGINS where the route shares with them, and the
 * origins an action shares (the token's client's). Never credentials mode: no
 * Access-Control-Allow-Credentials, so no cookie rides along. Preflights: ./preflight.ts.
 */
export const cors = (): PipelineMiddleware => ({ after: share, onError: share });
