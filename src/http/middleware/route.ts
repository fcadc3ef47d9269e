import type { Route } from '../routes';
import type { PipelineMiddleware } from './state';

/** A request this function has no route for; the error middleware answers it 404 or 405. */
export class RouteNotServed extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(`no route for ${method} ${path}`);
  }
}

/** The route table's entry for the request's route key, for the middlewares after it. */
export const routeOf = (served: ReadonlyMap<string, Route>): PipelineMiddleware => ({
  before: async (request) => {
    const { event } = request;
    const route = served.get(event.routeKey);
    if (!route) throw new RouteNotServed(event.requestContext.http.method, event.rawPath);
    request.internal.route = route;
  },
});
