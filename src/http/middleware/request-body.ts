import { header } from '../http-event';
import { parseFormBody, parseJsonBody, parseQuery } from '../request-body';
import { needs, type PipelineMiddleware } from './state';

/** The query and the body (JSON, or a form on `/oauth/*`), validated by the route's schemas. */
export const requestBody = (): PipelineMiddleware => ({
  before: async (request) => {
    const { event } = request;
    const route = needs(request, 'route');
    request.internal.query = route.query ? parseQuery(event.rawQueryString ?? '', route.query) : {};
    const raw = {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentType: header(event, 'content-type'),
    };
    request.internal.body = route.form
      ? parseFormBody(raw, route.form)
      : route.body
        ? parseJsonBody(raw, route.body, { emptyIsObject: route.bodyOptional === true })
        : undefined;
  },
});
