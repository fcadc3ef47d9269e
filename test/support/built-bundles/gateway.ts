import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { authorizerEvent, httpApiEvent } from '../../../dev/lambda-events';
import { createRouteMatcher } from '../../../src/http/route-match';
import type { BuiltRoute } from './assembly';

interface GatewayResult {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

export interface Gateway {
  url: string;
  /** The integration failures answered 500, with the function's error and output. */
  failures: string[];
  /** Holds the port from the start: the functions' ISSUER_URL names it before they run. */
  listen(port?: number): Promise<void>;
  stop(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const send = (response: ServerResponse, result: unknown) => {
  // Payload 2.0: an answer without statusCode is a 200 with the answer as its JSON body.
  const shaped: GatewayResult =
    result && typeof result === 'object' && 'statusCode' in result
      ? (result as GatewayResult)
      : {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(result),
        };
  const headers: Record<string, string | string[]> = { ...shaped.headers };
  if (shaped.cookies?.length) headers['set-cookie'] = shaped.cookies;
  response.writeHead(shaped.statusCode ?? 200, headers);
  response.end(
    shaped.isBase64Encoded && shaped.body ? Buffer.from(shaped.body, 'base64') : shaped.body,
  );
};

const message = (statusCode: number, text: string) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: text }),
});

/**
 * The HTTP API as the template defines it: each request matched to a RouteKey (a literal path
 * before one with parameters, anything unmatched to `$default`), the route's authorizer
 * function run first when it has one (its simple response's context handed on as
 * requestContext.authorizer.lambda, a denial answered 403 as API Gateway does), then the
 * integration's function with the payload 2.0 event.
 */
export const templateGateway = (
  routes: BuiltRoute[],
  invoke: (logicalId: string, event: unknown) => Promise<unknown>,
): Gateway => {
  const fallback = routes.find((route) => route.routeKey === '$default');
  const table = routes
    .filter((route) => route !== fallback)
    .map((route) => {
      const [method, path] = route.routeKey.split(' ') as [string, string];
      return { ...route, method, path };
    })
    .sort((a, b) => a.path.split('{').length - b.path.split('{').length);
  const match = createRouteMatcher(table);

  const serve = async (request: IncomingMessage) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    const found = match(request.method ?? 'GET', url.pathname);
    const route = found.kind === 'found' ? found.route : fallback;
    if (!route) return message(404, 'Not Found');
    const event = httpApiEvent({
      request,
      url,
      body,
      routeKey: route.routeKey,
      pathParameters: found.kind === 'found' ? found.pathParameters : {},
    });
    if (route.authorizer) {
      const decision = (await invoke(route.authorizer, authorizerEvent(event))) as {
        isAuthorized: boolean;
        context?: Record<string, unknown>;
      };
      if (!decision.isAuthorized) return message(403, 'Forbidden');
      event.requestContext.authorizer = { lambda: decision.context ?? {} };
    }
    return invoke(route.target, event);
  };

  const failures: string[] = [];
  const server = createServer((request, response) => {
    serve(request).then(
      (result) => send(response, result),
      (error: unknown) => {
        failures.push(`${request.method} ${request.url}: ${String(error)}`);
        // As API Gateway answers when the integration fails.
        send(response, message(500, 'Internal Server Error'));
      },
    );
  });
  let url = '';
  return {
    failures,
    get url() {
      return url;
    },
    listen: (port = 0) =>
      new Promise<void>((done) => {
        server.listen(port, '127.0.0.1', () => {
          const address = server.address();
          url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
          done();
        });
      }),
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
};
