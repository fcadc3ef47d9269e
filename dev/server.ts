import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';
import { GatehouseError } from '../src/core/shared/errors';
import { requiresApiKey } from '../src/core/tokens/token-settings';
import type { ExampleEvent, ExampleResult } from '../src/example/handler';
import { exampleRouteScopes, exampleRoutes } from '../src/example/routes';
import type { AuthorizerEvent, AuthorizerResult } from '../src/http/authorizer';
import { oauthPreflightRoute } from '../src/http/cors-policy';
import type { FunctionName } from '../src/http/functions';
import type { HttpEvent } from '../src/http/handler';
import { oauthError } from '../src/http/oauth-errors';
import { errorResult, type HttpResult } from '../src/http/responses';
import { createRouteMatcher, matchRoute } from '../src/http/route-match';
import { pageRoutes } from '../src/web/routes';
import { timed } from './invocations';
import { authorizerEvent, httpApiEvent, lambdaContext } from './lambda-events';

type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;
type Authorizer = (event: AuthorizerEvent) => Promise<AuthorizerResult>;

/** Well past the 64 KiB the handlers accept; past this the server answers 413 itself. */
const READ_LIMIT = 1024 * 1024;
/**
 * Past READ_LIMIT the rest of the body is read and dropped up to this size (API Gateway's own
 * limit), so the client gets to read the 413: closing while it still sends would reset the
 * connection and lose the answer in its receive buffer.
 */
const DRAIN_LIMIT = 10 * 1024 * 1024;

/** How long a request still running at shutdown may finish (one hung on a frozen database won't). */
const CLOSE_GRACE_MS = 1000;

const readBody = (request: IncomingMessage): Promise<Buffer | null> =>
  new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT) {
        request.destroy();
      } else if (size > READ_LIMIT) {
        chunks.length = 0;
        done(null);
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => done(Buffer.concat(chunks)));
    request.on('error', fail);
  });

/** The 413 of a body past READ_LIMIT, in the dialect of the path (RFC 6749 under /oauth/). */
const tooLarge = (path: string): HttpResult => {
  const error = new GatehouseError('payload_too_large', 'The body is over 64 KiB.');
  return path.startsWith('/oauth/') ? oauthError(error) : errorResult(error.code, error.message);
};

const send = (response: ServerResponse, result: HttpResult & { cookies?: string[] }) => {
  const headers: Record<string, string | string[]> = { ...result.headers };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode, headers);
  response.end(
    result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : result.body,
  );
};

/** The handlers of functions/, loaded after the environment is set (they read it at load). */
const loadFunctions = async () => {
  // Gatehouse's own API runs its authorizer in deny-with-reason mode, as the CDK stack sets it.
  process.env.AUTHORIZER_DENY_WITH_REASON = '1';
  const [
    signIn,
    token,
    account,
    users,
    apiTokens,
    oauth,
    discovery,
    sso,
    pages,
    authorizer,
    exampleApi,
    authorizerFactory,
  ] = await Promise.all([
    import('../functions/sign-in'),
    import('../functions/token'),
    import('../functions/account'),
    import('../functions/users'),
    import('../functions/api-tokens'),
    import('../functions/oauth'),
    import('../functions/discovery'),
    import('../functions/sso'),
    import('../functions/pages'),
    import('../functions/authorizer'),
    import('../functions/example-api'),
    import('../src/http/authorizer-from-env'),
  ]);
  const handlers: Record<Exclude<FunctionName, 'authorizer'>, HttpHandler> = {
    signIn: signIn.handler,
    token: token.handler,
    account: account.handler,
    users: users.handler,
    apiTokens: apiTokens.handler,
    oauth: oauth.handler,
    discovery: discovery.handler,
    sso: sso.handler,
    pages: pages.handler as HttpHandler,
  };
  for (const name of Object.keys(handlers) as (keyof typeof handlers)[]) {
    handlers[name] = timed(name, handlers[name]);
  }
  // The example protected API gets its own authorizer, as lib/gatehouse-authorizer.ts makes
  // it: plain denials, the route scopes, and never the default owner.
  const exampleAuthorizer = authorizerFactory.authorizerFromEnv({
    ...process.env,
    AUTHORIZER_DENY_WITH_REASON: '0',
    AUTHORIZER_ROUTE_SCOPES: JSON.stringify(exampleRouteScopes),
    REQUIRE_USER_AUTHENTICATION: '1',
  });
  return {
    handlers,
    authorizer: timed('authorizer', authorizer.handler as Authorizer),
    example: {
      handler: exampleApi.handler as (event: ExampleEvent) => Promise<ExampleResult>,
      authorizer: exampleAuthorizer as Authorizer,
    },
  };
};

/** Where the local server mounts the example protected API (its own API on AWS). */
export const EXAMPLE_API_PREFIX = '/example';
const matchExampleRoute = createRouteMatcher(exampleRoutes);
const matchPageRoute = createRouteMatcher(pageRoutes);

const gatewayMessage = (statusCode: number, message: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

/**
 * A listening server that answers nothing yet: it holds the port from the moment it is chosen,
 * so nothing else (DynamoDB Local's own connections, say) can take it while the stack starts.
 */
export const holdPort = async (port: number, host = '127.0.0.1'): Promise<Server> => {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new Error(`${host}:${port} is already in use: stop what runs there, or set PORT.`)
          : error,
      ),
    );
    server.listen(port, host, done);
  });
  return server;
};

export const heldPort = (server: Server): number => {
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the server is not listening');
  return address.port;
};

/**
 * The local API Gateway: the route table, the authorizer first on protected routes, then the
 * same Lambda handler that runs on AWS, with the same event shapes.
 */
export const startDevServer = async (
  options: { port: number; host?: string } | { held: Server },
) => {
  const { handlers, authorizer, example } = await loadFunctions();

  /**
   * The example API as an HTTP API with a Lambda authorizer answers: 404 for an unknown
   * route, 401 when an identity source is missing, 403 when the authorizer says no.
   */
  const serveExample = async (request: IncomingMessage, url: URL, body: Buffer) => {
    const path = url.pathname.slice(EXAMPLE_API_PREFIX.length) || '/';
    const match = matchExampleRoute(request.method ?? 'GET', path);
    if (match.kind !== 'found') return gatewayMessage(404, 'Not Found');
    const event = httpApiEvent({
      request,
      url: new URL(`${path}${url.search}`, url),
      body,
      routeKey: match.routeKey,
      pathParameters: match.pathParameters,
    });
    const keyMissing = requiresApiKey(process.env) && !event.headers['x-api-key'];
    if (!event.headers.authorization || keyMissing) return gatewayMessage(401, 'Unauthorized');
    const decision = (await example.authorizer(authorizerEvent(event))) as {
      isAuthorized: boolean;
      context?: Record<string, unknown>;
    };
    if (!decision.isAuthorized) return gatewayMessage(403, 'Forbidden');
    event.requestContext.authorizer = { lambda: decision.context ?? {} };
    return (await example.handler(event as ExampleEvent)) as HttpResult;
  };

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    if (body === null) return send(response, tooLarge(url.pathname));
    if (url.pathname === EXAMPLE_API_PREFIX || url.pathname.startsWith(`${EXAMPLE_API_PREFIX}/`)) {
      return send(response, await serveExample(request, url, body));
    }
    const match = matchRoute(request.method ?? 'GET', url.pathname);
    const page =
      match.kind === 'none' ? matchPageRoute(request.method ?? 'GET', url.pathname) : null;
    if (page?.kind === 'found') {
      const event = httpApiEvent({
        request,
        url,
        body,
        routeKey: page.routeKey,
        pathParameters: page.pathParameters,
      });
      return send(response, await handlers.pages(event, lambdaContext('pages')));
    }
    const found = match.kind === 'found' ? match : null;
    // As on AWS: OPTIONS under /oauth/ has a route of its own; the rest goes to `$default`.
    const preflight =
      request.method === oauthPreflightRoute.method && url.pathname.startsWith('/oauth/');
    const event = httpApiEvent({
      request,
      url,
      body,
      routeKey:
        found?.routeKey ??
        (preflight ? `${oauthPreflightRoute.method} ${oauthPreflightRoute.path}` : '$default'),
      pathParameters: found?.pathParameters ?? {},
    });
    // Unknown routes go to API Gateway's $default route: the discovery function.
    const served =
      found?.route.function ?? (preflight ? oauthPreflightRoute.function : 'discovery');
    const handler = handlers[served];
    if (found && found.route.auth !== 'public') {
      const decision = (await authorizer(authorizerEvent(event))) as {
        isAuthorized: boolean;
        context?: Record<string, unknown>;
      };
      if (!decision.isAuthorized) {
        return send(response, { statusCode: 403, headers: {}, body: '{"message":"Forbidden"}' });
      }
      event.requestContext.authorizer = { lambda: decision.context ?? {} };
    }
    send(response, await handler(event, lambdaContext(served)));
  };

  const server = 'held' in options ? options.held : await holdPort(options.port, options.host);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    serve(request, response).catch(() => {
      // As API Gateway does when an integration fails.
      if (!response.headersSent)
        send(response, errorResult('internal', 'Something went wrong on our side.'));
    });
  });
  const port = heldPort(server);
  return {
    url: `http://localhost:${port}`,
    port,
    /** Stops taking connections; requests still running get `graceMs`, then their sockets go. */
    close: (graceMs = CLOSE_GRACE_MS) =>
      new Promise<void>((done) => {
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cut);
          done();
        });
        server.closeIdleConnections();
      }),
  };
};
