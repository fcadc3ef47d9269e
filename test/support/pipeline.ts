import type { Context } from 'aws-lambda';
import { noRequest } from '../../src/core/audit/audit';
import type { CoreDeps } from '../../src/core/shared/deps';
import type { ActionRequest } from '../../src/http/handler';
import type { HttpEvent } from '../../src/http/http-event';
import type { PipelineRequest, PipelineState } from '../../src/http/middleware/state';
import { type Route, routeKey, routes } from '../../src/http/routes';

/** An HTTP API (payload 2.0) event for `routeKey`, as API Gateway hands it over. */
export const httpEvent = (routeKey: string, overrides: Partial<HttpEvent> = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey,
    rawPath: routeKey.split(' ')[1] ?? '/',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      http: {
        method: routeKey.split(' ')[0] ?? 'GET',
        path: '/',
        sourceIp: '203.0.113.7',
        userAgent: 'test-agent',
        protocol: 'HTTP/1.1',
      },
      requestId: 'r1',
      authorizer: { lambda: {} },
    },
    ...overrides,
  }) as unknown as HttpEvent;

/** A middy request as the middlewares see it, with what earlier middlewares found. */
export const pipelineRequest = <S extends PipelineState = PipelineState>(
  event: HttpEvent,
  internal: NoInfer<S> = {} as S,
): PipelineRequest<S> => ({
  event,
  context: {} as Context,
  response: null,
  error: null,
  internal,
});

/** The route table's entry for a key. */
export const routeFor = (key: string): Route => {
  const route = routes.find((candidate) => routeKey(candidate) === key);
  if (!route) throw new Error(`no route ${key}`);
  return route;
};

/** Runs one middleware phase, as middy would. */
export const run = async <S extends PipelineState>(
  phase: ((request: PipelineRequest<S>) => unknown) | undefined,
  request: PipelineRequest<S>,
) => {
  if (!phase) throw new Error('the middleware has no such phase');
  await phase(request);
  return request;
};

/** What an action is handed once the pipeline has run: `body` parsed, nobody signed in. */
export const actionRequest = (
  deps: CoreDeps,
  body: unknown,
  overrides: Partial<ActionRequest> = {},
): ActionRequest => ({
  deps,
  body,
  principal: null,
  pathParameters: {},
  query: {},
  authorization: null,
  cookies: {},
  origin: null,
  meta: noRequest,
  shareWith: () => {},
  ...overrides,
});
