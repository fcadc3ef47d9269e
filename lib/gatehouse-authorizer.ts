import { Arn, ArnFormat, Duration, Lazy, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import {
  AuthorizationType,
  IdentitySource,
  type Integration,
  type IResource,
  type IRestApi,
  type Method,
  RequestAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import {
  type HttpApi,
  type HttpMethod,
  type HttpRoute,
  type HttpRouteIntegration,
  HttpRouteKey,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Architecture } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { mfaRequiredRolesFromEnv, scopeCatalogFromEnv } from '../src/core/users/roles';
import { functionSpecs } from '../src/http/functions';
import { authorizerItemAccess } from '../src/store/item-access';
import { tables } from '../src/store/schema';
import { defaultArchitecture } from './architecture';
import { specFunction } from './functions';
import { type ParameterReading, propsFromParameters } from './gatehouse-parameters';
import { defaultLogRetention, defaultRevocationCacheSeconds, integerProp } from './gatehouse-stack';

export interface GatehouseAuthorizerProps {
  /** Gatehouse's API URL: the `iss` of every token it issues. */
  issuerUrl: string;
  /** The `aud` tokens must carry, when Gatehouse sets ACCESS_TOKEN_AUDIENCE. Default: the issuer. */
  audience?: string;
  /**
   * Gatehouse's tables: from its stack, or `Table.fromTableAttributes({ tableArn, encryptionKey })`
   * (with readerRoleArn, `Table.fromTableArn` is enough: the role holds the key grant).
   */
  usersTable: ITable;
  tokensTable: ITable;
  /**
   * Gatehouse's AuthorizerReader role (another account, or an app that must not grant itself):
   * the function may only assume it and reads the tables as it. Unset: the function's own role
   * gets the item grants (same account).
   */
  readerRoleArn?: string;
  /**
   * The account Gatehouse's tables, key and reader role are in: the function may touch DynamoDB,
   * KMS and sts:AssumeRole in no other. Default: the reader role's or the tables' account when
   * their ARNs are literal, or the stack that made the tables.
   */
  gatehouseAccount?: string;
  /** The sts:ExternalId the Gatehouse operator set on the reader role (authorizerExternalId). */
  readerExternalId?: string;
  /** Gatehouse's SCOPE_CATALOG (JSON), when it sets one: the two must be equal. */
  scopeCatalog?: string;
  /**
   * Gatehouse's MFA_REQUIRED_ROLES (comma-separated), when it sets one: the two must be equal,
   * or a person's API token made without a factor passes here with grants Gatehouse holds back.
   */
  mfaRequiredRoles?: string;
  /**
   * The longest a revoked session, a disabled user or a role change may still pass, in seconds,
   * API Gateway's cache included. 0 to 300; default 10.
   */
  revocationBoundSeconds?: number;
  /**
   * How long API Gateway caches an answer (per token and route). 0 to revocationBoundSeconds;
   * default 0. The function trusts what it read for the rest of the bound.
   */
  resultsCacheSeconds?: number;
  /** Also require `x-api-key` to name one of Gatehouse's OAuth clients. Default: false. */
  requireApiKey?: boolean;
  /** Retention of the authorizer function's logs. Default: three months. */
  logRetention?: RetentionDays;
  /** What the authorizer function runs on. Default: arm64 (Graviton), as Gatehouse's own. */
  architecture?: Architecture;
}

export interface HttpRouteProtection {
  path: string;
  methods: HttpMethod[];
  integration: HttpRouteIntegration;
  /** Every scope the caller's token must hold. */
  scopes: readonly string[];
}

/** Gatehouse's account when it is known: stated, a literal ARN's, or that of the stack that made the tables. */
const gatehouseAccountOf = (props: GatehouseAuthorizerProps): string | undefined => {
  const arnAccount = (arn: string | undefined) =>
    arn && !Token.isUnresolved(arn)
      ? Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).account
      : undefined;
  const literal = [
    arnAccount(props.readerRoleArn),
    ...[props.usersTable, props.tokensTable].map((table) =>
      Resource.isOwnedResource(table) ? undefined : arnAccount(table.tableArn),
    ),
  ].filter((account): account is string => !!account && !Token.isUnresolved(account));
  const account =
    props.gatehouseAccount ??
    literal[0] ??
    (Resource.isOwnedResource(props.usersTable) ? Stack.of(props.usersTable).account : undefined);
  const stranger = literal.find((other) => other !== account);
  if (stranger !== undefined) {
    throw new Error(
      `GatehouseAuthorizer: the tables and reader role must all be in Gatehouse's account ${account}, not ${stranger}.`,
    );
  }
  return account;
};

// Lambda allows 4 KB of environment in all; the route map must leave room for the rest.
const maxRouteScopesLength = 3000;

/**
 * Gatehouse's Lambda authorizer in front of another stack's HTTP API routes or REST API methods,
 * each with the scopes it requires. The function is Gatehouse's own authorizer (same bundle, same
 * least-privilege role); the routes and their scopes reach it in AUTHORIZER_ROUTE_SCOPES.
 */
export class GatehouseAuthorizer extends Construct {
  readonly function: NodejsFunction;
  /** API Gateway's result cache, in seconds. */
  readonly resultsCacheSeconds: number;
  private readonly requireApiKey: boolean;
  /** Scopes a route may require; null when the catalog is only known at deploy time. */
  private readonly knownScopes: ReadonlySet<string> | null;
  private readonly routeScopes = new Map<string, readonly string[]>();
  private readonly httpAuthorizers = new Map<HttpApi, HttpLambdaAuthorizer>();
  private readonly restAuthorizers = new Map<IRestApi, RequestAuthorizer>();

  /**
   * An authorizer on what a Gatehouse stack in this account and region published under `prefix`
   * (SSM, resolved at deploy): issuer, audience, tables and key, the reader role when asked for,
   * each refused at deploy unless in gatehouseAccount and gatehouseRegion (the issuer: https).
   */
  static fromParameters(
    scope: Construct,
    id: string,
    options: ParameterReading &
      Omit<
        GatehouseAuthorizerProps,
        | 'issuerUrl'
        | 'audience'
        | 'usersTable'
        | 'tokensTable'
        | 'scopeCatalog'
        | 'mfaRequiredRoles'
        | 'readerRoleArn'
        | 'gatehouseAccount'
      >,
  ): GatehouseAuthorizer {
    const { prefix, gatehouseAccount, gatehouseRegion, readerRole, scopeCatalog, ...rest } =
      options;
    const published = propsFromParameters(scope, id, {
      prefix,
      gatehouseAccount,
      gatehouseRegion,
      readerRole,
      scopeCatalog,
    });
    return new GatehouseAuthorizer(scope, id, { ...rest, ...published });
  }

  constructor(scope: Construct, id: string, props: GatehouseAuthorizerProps) {
    super(scope, id);
    const bound = integerProp(
      'revocationBoundSeconds',
      props.revocationBoundSeconds ?? defaultRevocationCacheSeconds,
      0,
      300,
    );
    const cache = props.resultsCacheSeconds ?? 0;
    if (!Number.isInteger(cache) || cache < 0 || cache > bound) {
      throw new Error(
        `resultsCacheSeconds must be an integer from 0 to revocationBoundSeconds (${bound}), ` +
          `not ${cache}: API Gateway would serve a revoked token's cached answer past the bound.`,
      );
    }
    this.resultsCacheSeconds = cache;
    this.requireApiKey = props.requireApiKey ?? false;
    const catalog = props.scopeCatalog;
    this.knownScopes =
      catalog !== undefined && Token.isUnresolved(catalog)
        ? null
        : new Set(scopeCatalogFromEnv({ SCOPE_CATALOG: catalog }).owner);

    const environment: Record<string, string> = {
      ISSUER_URL: props.issuerUrl,
      // What API Gateway caches counts against the bound: the function keeps the rest.
      REVOCATION_CACHE_SECONDS: String(bound - cache),
      AUTHORIZER_ROUTE_SCOPES: Lazy.string({
        produce: () => JSON.stringify(Object.fromEntries(this.routeScopes)),
      }),
    };
    if (props.audience) environment.ACCESS_TOKEN_AUDIENCE = props.audience;
    if (catalog) environment.SCOPE_CATALOG = catalog;
    const mfaRoles = props.mfaRequiredRoles;
    // A role list known at synth is checked now, as Gatehouse checks it at start.
    if (mfaRoles !== undefined && !Token.isUnresolved(mfaRoles)) {
      mfaRequiredRolesFromEnv({ MFA_REQUIRED_ROLES: mfaRoles });
    }
    if (mfaRoles) environment.MFA_REQUIRED_ROLES = mfaRoles;
    if (this.requireApiKey) environment.REQUIRE_API_KEY = '1';
    const readerRole = props.readerRoleArn;
    if (readerRole) {
      environment.GATEHOUSE_READER_ROLE_ARN = readerRole;
      if (props.readerExternalId) environment.GATEHOUSE_READER_EXTERNAL_ID = props.readerExternalId;
      // The tables' region, from their ARN: the function may run in another.
      environment.GATEHOUSE_TABLES_REGION = Arn.split(
        props.tokensTable.tableArn,
        ArnFormat.SLASH_RESOURCE_NAME,
      ).region as string;
      for (const [name, table] of [
        ['users', props.usersTable],
        ['tokens', props.tokensTable],
      ] as const) {
        environment[tables[name].envVar] = table.tableName;
      }
    }
    // With a reader role the item grants are the role's (Gatehouse's AuthorizerReader), not ours.
    // Another team's API counts no token uses: its stack names no audit table (item-access.ts).
    const spec = {
      ...functionSpecs.authorizer,
      itemAccess: readerRole ? {} : authorizerItemAccess,
    };
    this.function = specFunction(this, 'Authorizer', spec, {
      tables: { users: props.usersTable, tokens: props.tokensTable },
      environment,
      logRetention: props.logRetention ?? defaultLogRetention,
      architecture: props.architecture ?? defaultArchitecture,
    });
    if (readerRole) {
      // Invariant: the function's own role holds no DynamoDB or KMS grant: it may only assume this one role.
      this.function.addToRolePolicy(
        new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [readerRole] }),
      );
    }

    const account = gatehouseAccountOf(props);
    if (account !== undefined) {
      // Invariant: whatever the props (or SSM) name, no table, key or role outside Gatehouse's account.
      this.function.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.DENY,
          actions: ['dynamodb:*', 'kms:*', 'sts:AssumeRole'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'aws:ResourceAccount': account } },
        }),
      );
    }

    this.node.addValidation({
      validate: () => {
        if (this.routeScopes.size === 0) {
          return ['GatehouseAuthorizer protects no route: use addHttpRoutes or addRestMethod.'];
        }
        const length = JSON.stringify(Object.fromEntries(this.routeScopes)).length;
        return length > maxRouteScopesLength
          ? [
              `AUTHORIZER_ROUTE_SCOPES is ${length} characters, over ${maxRouteScopesLength}: ` +
                'Lambda environment is 4 KB in all. Split the routes over two authorizers.',
            ]
          : [];
      },
    });
  }

  /** HTTP API routes, one per method, each behind the authorizer with these scopes. */
  addHttpRoutes(api: HttpApi, route: HttpRouteProtection): HttpRoute[] {
    if (route.methods.length === 0) throw new Error(`${route.path}: name at least one method.`);
    // The key API Gateway puts in the event's routeKey.
    for (const method of route.methods) {
      this.protect(HttpRouteKey.with(route.path, method).key, route.scopes);
    }
    return api.addRoutes({
      path: route.path,
      methods: route.methods,
      integration: route.integration,
      authorizer: this.httpAuthorizerFor(api),
    });
  }

  /** A REST API method behind the authorizer with these scopes. */
  addRestMethod(
    resource: IResource,
    httpMethod: string,
    integration: Integration,
    scopes: readonly string[],
  ): Method {
    const method = httpMethod.toUpperCase();
    if (method === 'ANY') {
      // The authorizer looks routes up by the request's own method, never ANY.
      throw new Error(`${resource.path}: protect each method, not ANY.`);
    }
    this.protect(`${method} ${resource.path}`, scopes);
    return resource.addMethod(method, integration, {
      authorizer: this.restAuthorizerFor(resource.api),
      authorizationType: AuthorizationType.CUSTOM,
    });
  }

  private protect(key: string, scopes: readonly string[]): void {
    if (this.routeScopes.has(key)) throw new Error(`${key} is already protected.`);
    if (scopes.length === 0) {
      throw new Error(`${key}: name the scopes it requires (none would deny every caller).`);
    }
    const unknown = scopes.filter((scope) => this.knownScopes && !this.knownScopes.has(scope));
    if (unknown.length > 0) {
      throw new Error(
        `${key}: ${unknown.join(', ')} not in the scope catalog (${[...(this.knownScopes ?? [])].join(' ')}).`,
      );
    }
    this.routeScopes.set(key, [...scopes]);
  }

  private httpAuthorizerFor(api: HttpApi): HttpLambdaAuthorizer {
    let authorizer = this.httpAuthorizers.get(api);
    if (!authorizer) {
      // The route is part of the cache key: an answer for one route never serves another.
      const identitySource = ['$request.header.Authorization', '$context.routeKey'];
      if (this.requireApiKey) identitySource.push('$request.header.x-api-key');
      authorizer = new HttpLambdaAuthorizer('GatehouseAuthorizer', this.function, {
        authorizerName: Names.uniqueId(this),
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        identitySource,
        resultsCacheTtl: Duration.seconds(this.resultsCacheSeconds),
      });
      this.httpAuthorizers.set(api, authorizer);
    }
    return authorizer;
  }

  private restAuthorizerFor(api: IRestApi): RequestAuthorizer {
    let authorizer = this.restAuthorizers.get(api);
    if (!authorizer) {
      // The cache is per token only: the policy names every method the token may call.
      const identitySources = [IdentitySource.header('Authorization')];
      if (this.requireApiKey) identitySources.push(IdentitySource.header('x-api-key'));
      authorizer = new RequestAuthorizer(this, `${Names.nodeUniqueId(api.node)}Authorizer`, {
        handler: this.function,
        identitySources,
        resultsCacheTtl: Duration.seconds(this.resultsCacheSeconds),
      });
      this.restAuthorizers.set(api, authorizer);
    }
    return authorizer;
  }
}
