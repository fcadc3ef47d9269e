import { isGatehouseError } from '../../core/shared/errors';
import { type ErrorDialect, errorAnswer, serverErrorAnswer } from '../error-answer';
import { logger } from '../logger';
import type { PipelineMiddleware, PipelineRequest } from './state';

/**
 * The one error middleware: whatever a middleware or action throws is answered here, in the
 * route's dialect. Unexpected errors are logged and answered with nothing of them.
 */
export const errors = (
  dialectOf: (request: PipelineRequest) => ErrorDialect,
): PipelineMiddleware => ({
  onError: async (request) => {
    if (request.response) return; // already answered: middy’s convention for onError
    const dialect = dialectOf(request);
    const answer = errorAnswer(dialect, request.error);
    if (answer) {
      const { error } = request;
      // A dependency out is answered (503), yet the operator needs to see what failed.
      if (isGatehouseError(error) && error.code === 'unavailable') {
        logger.warn({ err: error.cause ?? error, route: request.event.routeKey }, 'unavailable');
      }
      request.response = answer;
      return;
    }
    logger.error({ err: request.error, route: request.event.routeKey }, 'unhandled error');
    request.response = serverErrorAnswer(dialect);
  },
});
