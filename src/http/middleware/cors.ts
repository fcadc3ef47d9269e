import { header } from '../http-event';
import type { PipelineMiddleware, PipelineRequest } from './state';

/** Contract, CORS: a browser app may read these from an answer it was shared. */
const EXPOSED = 'Retry-After, WWW-Authenticate';

/** Origins that may read the answer: those the action shared, and the route's standing ones. */
const sharedOrigins = ({ internal }: PipelineRequest): string[] => [
  ...(internal.corsOrigins ?? []),
  ...(internal.route?.sharedWithAllowedOrigins
    ? (internal.deps?.config.allowedRedirectOrigins ?? [])
    : []),
];

const share = async (request: PipelineRequest) => {
  const { response } = request;
  const origin = header(request.event, 'origin');
  if (!response || !origin || !sharedOrigins(request).includes(origin)) return;
  // Unexpected failures stay opaque to other origins.
  if (response.statusCode >= 500) return;
  response.headers = {
    ...response.headers,
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED,
    vary: 'Origin',
  };
};

/**
 * CORS for answers an action shares (the token endpoint: its client's redirect origins, known
 * only once the client is) or its route shares with ALLOWED_REDIRECT_ORIGINS (userinfo, whose
 * refusals of a bad bearer come before the action). Preflights are not answered here.
 */
export const cors = (): PipelineMiddleware => ({ after: share, onError: share });
