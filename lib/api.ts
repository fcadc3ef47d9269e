import { Duration, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { oauthPreflightRoute } from '../src/http/cors-policy';
import type { FunctionName } from '../src/http/functions';
import { routeKey, routes } from '../src/http/routes';
import { pageRouteKey, pageRoutes } from '../src/web/routes';
import { functionId } from './functions';

export interface GatehouseApiProps {
  throttle: Required<ThrottleSettings>;
  logRetention: RetentionDays;
  /**
   * With a custom domain (lib/domain.ts) the execute-api URL is turned off: a second origin
   * would mint tokens whose pages and cookies live elsewhere, and WebAuthn's rp id would not
   * match it.
   */
  disableExecuteApiEndpoint?: boolean;
}

// One JSON line per request. Never the Authorization header nor the query string (SSO's `jwt`).
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * The `$default` stage of an HTTP API, auto-deployed, throttled, with JSON access logs in a log
 * group of its own: Gatehouse's API and the example protected API (lib/example-api-stack.ts).
 */
export const addDefaultStage = (
  scope: Construct,
  httpApi: HttpApi,
  props: GatehouseApiProps,
): HttpStage => {
  const accessLogs = new LogGroup(scope, 'AccessLogs', { retention: props.logRetention });
  return new HttpStage(scope, 'DefaultStage', {
    httpApi,
    autoDeploy: true,
    throttle: props.throttle,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: accessLogFormat,
    },
  });
};

/**
 * The HTTP API: its default stage (access logs, throttling), then one route per entry of the
 * route table and of the page routes once the functions exist (they need the API's URL first,
 * as their issuer).
 */
export class GatehouseApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /**
   * Routes without an authorizer by route key: public in the contract, the hosted pages (they
   * read their own session cookie), and `$default`.
   */
  readonly publicRoutes = new Map<string, HttpRoute>();

  constructor(scope: Construct, id: string, props: GatehouseApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Gatehouse: sign-in, tokens and users',
      apiName: Stack.of(this).stackName,
      createDefaultStage: false,
      // No corsPreflight: API Gateway would then answer every preflight itself and drop the
      // functions' CORS headers (per-client origins on /oauth/*, `*` on /.well-known/*).
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? false,
    });
    this.stage = addDefaultStage(this, this.httpApi, props);
  }

  /** The API's base URL, with no trailing slash. */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }

  addRoutes(handlers: Record<FunctionName, LambdaFunction>): void {
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${functionId(name)}Integration`, handlers[name]);
        integrations.set(name, integration);
      }
      return integration;
    };

    // HTTP APIs cannot shape a 401/403 body, so the authorizer allows every request and puts
    // its verdict in the context: the handler answers the contract's 401 itself. No identity
    // source, so a request without Authorization still reaches it (and so no cache, which
    // needs one: revocation stays bounded by the service's own REVOCATION_CACHE_SECONDS).
    handlers.authorizer.addEnvironment('AUTHORIZER_DENY_WITH_REASON', '1');
    const authorizer = new HttpLambdaAuthorizer('Authorizer', handlers.authorizer, {
      authorizerName: 'gatehouse-access-token',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: Duration.seconds(0),
      identitySource: [],
    });
    const none = new HttpNoneAuthorizer();

    for (const route of routes) {
      const isPublic = route.auth === 'public';
      const [added] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.function),
        authorizer: isPublic ? none : authorizer,
      });
      if (isPublic && added) this.publicRoutes.set(routeKey(route), added);
    }

    // The hosted pages and /oauth/authorize: no authorizer, since what authenticates a browser
    // is the HttpOnly session cookie, which the pages function reads (and checks CSRF) itself.
    const apiKeys = new Set(routes.map(routeKey));
    const clashes = pageRoutes.map(pageRouteKey).filter((key) => apiKeys.has(key));
    if (clashes.length > 0) {
      throw new Error(`Both a page route and an API route: ${clashes.join(', ')}.`);
    }
    for (const route of pageRoutes) {
      const [added] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf('pages'),
        authorizer: none,
      });
      if (added) this.publicRoutes.set(pageRouteKey(route), added);
    }

    // CORS preflights to /oauth/* reach the function that can list the clients, whose
    // redirect origins may call them; other preflights reach $default (src/http/cors-policy.ts).
    const preflight = new HttpRoute(this, 'OAuthPreflightRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.with(oauthPreflightRoute.path, HttpMethod.OPTIONS),
      integration: integrationOf(oauthPreflightRoute.function),
      authorizer: none,
    });
    this.publicRoutes.set(`${oauthPreflightRoute.method} ${oauthPreflightRoute.path}`, preflight);

    // Anything else reaches discovery, which answers the contract's 404 or 405 body.
    const fallback = new HttpRoute(this.httpApi, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrationOf('discovery'),
      authorizer: none,
    });
    this.publicRoutes.set(HttpRouteKey.DEFAULT.key, fallback);
  }
}
