import { logger } from '../logger';
import { countMetric, flushMetrics } from '../metrics';
import type { PipelineMiddleware, PipelineRequest } from './state';

const started = new WeakMap<object, number>();

/** The request's end: its log line, its 5xx count (by the final status), then its metrics. */
const requestEnd = async (request: PipelineRequest) => {
  const { event, response } = request;
  logger.info({
    route: event.routeKey,
    status: response?.statusCode,
    ms: Math.round(performance.now() - (started.get(request) ?? performance.now())),
    requestId: event.requestContext.requestId,
  });
  if ((response?.statusCode ?? 500) >= 500) countMetric('Http5xx');
  flushMetrics();
};

/** One line per request, answered or failed: never a body, header or query string. */
export const requestLog = (): PipelineMiddleware => ({
  before: async (request) => {
    started.set(request, performance.now());
  },
  after: requestEnd,
  // Runs after the error middleware (middy unwinds onError in reverse), so the status is known.
  onError: requestEnd,
});
