import { header } from '../http-event';
import type { PipelineMiddleware, PipelineRequest } from './state';

const share = async (request: PipelineRequest) => {
  const { response } = request;
  const origin = header(request.event, 'origin');
  if (!response || !origin || !request.internal.corsOrigins?.includes(origin)) return;
  // Unexpected failures stay opaque to other origins.
  if (response.statusCode >= 500) return;
  response.headers = { ...response.headers, 'access-control-allow-origin': origin, vary: 'Origin' };
};

/**
 * CORS for answers an action shares (the token endpoint: its client's redirect origins, known
 * only once the client is). Requests it serves are "simple" (form posts): no preflight.
 */
export const cors = (): PipelineMiddleware => ({ after: share, onError: share });
