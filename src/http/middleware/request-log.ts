import { logger } from '../logger';
import type { PipelineMiddleware, PipelineRequest } from './state';

const started = new WeakMap<object, number>();

const logLine = async (request: PipelineRequest) => {
  const { event, response } = request;
  logger.info({
    route: event.routeKey,
    status: response?.statusCode,
    ms: Math.round(performance.now() - (started.get(request) ?? performance.now())),
    requestId: event.requestContext.requestId,
  });
};

/** One line per request, answered or failed: never a body, header or query string. */
export const requestLog = (): PipelineMiddleware => ({
  before: async (request) => {
    started.set(request, performance.now());
  },
  after: logLine,
  // Runs after the error middleware (middy unwinds onError in reverse), so the status is known.
  onError: logLine,
});
