import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { CoreDeps } from '../core/shared/deps';
import { appDeps } from '../http/composition';
import type { HttpEvent } from '../http/http-event';
import { withInvocationLog } from '../http/log-context';
import { coreDeps } from '../http/middleware/core-deps';
import { errors } from '../http/middleware/errors';
import { requestContext } from '../http/middleware/request-context';
import { requestLog } from '../http/middleware/request-log';
import { needs } from '../http/middleware/state';
import type { HttpResult } from '../http/responses';
import { browserSession } from './middleware/browser-session';
import { csrfCheck, csrfCookie } from './middleware/csrf';
import { pageCookies } from './middleware/page-cookies';
import { pageForm } from './middleware/page-form';
import { pageRoute } from './middleware/page-route';
import { isSecure, type PageMiddleware, type PageState } from './middleware/page-state';
import type { PageAction, PageRequest } from './page-handler';
import { pageRouteKey, pageRoutes } from './routes';

/**
 * The pages function, through the same pipeline as the API: the same log line, request
 * metadata, cookies and error middleware (in HTML), then the pages' own middlewares: body
 * size, route, CSRF, browser session; the security headers are on every page (page()).
 */
export const createPagesHandler = (
  actions: Record<string, PageAction>,
  {
    deps = appDeps,
    loadSettings,
  }: { deps?: () => CoreDeps; loadSettings?: () => Promise<void> } = {},
) => {
  const missing = pageRoutes.map(pageRouteKey).filter((key) => !actions[key]);
  if (missing.length) throw new Error(`pages: no action for ${missing.join(', ')}`);
  // middy hands the handler only the event: the middlewares' findings travel beside it.
  const prepared = new WeakMap<HttpEvent, { action: PageAction; request: PageRequest }>();
  const pageRequest: PageMiddleware = {
    before: async (request) => {
      const { event, internal } = request;
      const { routeKey, params } = needs(request, 'page');
      prepared.set(event, {
        action: actions[routeKey] as PageAction,
        request: {
          deps: needs(request, 'deps'),
          method: event.requestContext.http.method.toUpperCase(),
          path: event.rawPath,
          params,
          query: new URLSearchParams(event.rawQueryString ?? ''),
          form: needs(request, 'form'),
          signedIn: internal.signedIn ?? null,
          csrf: needs(request, 'csrf'),
          meta: needs(request, 'meta'),
          secure: isSecure(request),
          setCookies: needs(request, 'setCookies'),
          cookies: needs(request, 'cookies'),
        },
      });
    },
  };

  const pipeline = middy<HttpEvent, HttpResult, Error, Context, PageState>()
    .use(requestLog())
    .use(pageCookies())
    .use(errors(() => 'html'))
    .use(requestContext())
    .use(coreDeps({ deps, loadSettings }))
    .use(csrfCookie())
    .use(pageForm())
    .use(pageRoute(pageRoutes, (key) => actions[key] !== undefined))
    .use(csrfCheck())
    .use(browserSession())
    .use(pageRequest)
    .handler(async (event) => {
      const found = prepared.get(event);
      if (!found) throw new Error(`pipeline: ${event.rawPath} was not prepared`);
      return found.action(found.request);
    });
  return withInvocationLog((event: HttpEvent, context: Context) => pipeline(event, context));
};
