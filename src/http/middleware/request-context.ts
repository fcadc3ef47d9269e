import { parseCookies } from '../cookies';
import type { PipelineMiddleware } from './state';

/** The caller's address, user agent (for audit events) and cookie jar, read once. */
export const requestContext = (): PipelineMiddleware => ({
  before: async (request) => {
    const { event } = request;
    request.internal.meta = {
      ip: event.requestContext.http.sourceIp || null,
      userAgent: event.requestContext.http.userAgent || null,
    };
    request.internal.cookies = parseCookies(event.cookies);
  },
});
