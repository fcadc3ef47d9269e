import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { exampleRoutes } from '../src/example/routes';
import type { FunctionSpec } from '../src/http/functions';
import { addDefaultStage } from './api';
import { specFunction } from './functions';
import { GatehouseAuthorizer } from './gatehouse-authorizer';
import { defaultLogRetention, defaultThrottle, type GatehouseStack } from './gatehouse-stack';
import { suppressExampleApiNagFindings } from './nag-suppressions';

export interface ExampleApiStackProps extends StackProps {
  /** The Gatehouse whose tokens the example API accepts. */
  gatehouse: GatehouseStack;
  /**
   * API Gateway's authorizer cache, in seconds, out of Gatehouse's revocation bound. Default:
   * half the bound, rounded down.
   */
  resultsCacheSeconds?: number;
}

/** The example API's one function: no table, no secret (its data lives in memory). */
const exampleFunctionSpec = {
  entry: 'example-api.ts',
  description: 'Example protected API',
  tables: {},
  memoryMb: 256,
} as const satisfies FunctionSpec;

/**
 * The example protected API (src/example/routes.ts): another team's HTTP API as it would put
 * Gatehouse's authorizer in front of its routes, each with the scopes it requires.
 */
export class ExampleApiStack extends Stack {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly handler: NodejsFunction;
  readonly authorizer: GatehouseAuthorizer;

  constructor(scope: Construct, id: string, props: ExampleApiStackProps) {
    super(scope, id, props);
    const { gatehouse } = props;

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Gatehouse example protected API: training sessions and models',
      apiName: this.stackName,
      createDefaultStage: false,
    });
    this.stage = addDefaultStage(this, this.httpApi, {
      throttle: defaultThrottle,
      logRetention: defaultLogRetention,
    });
    this.handler = specFunction(this, 'Handler', exampleFunctionSpec, {
      tables: {},
      environment: {},
      logRetention: defaultLogRetention,
      architecture: gatehouse.architecture,
    });

    const bound = gatehouse.revocationCacheSeconds;
    this.authorizer = new GatehouseAuthorizer(this, 'Authorizer', {
      issuerUrl: gatehouse.issuerUrl,
      audience: gatehouse.settings.ACCESS_TOKEN_AUDIENCE,
      usersTable: gatehouse.tables.byName.users,
      tokensTable: gatehouse.tables.byName.tokens,
      scopeCatalog: gatehouse.settings.SCOPE_CATALOG,
      mfaRequiredRoles: gatehouse.settings.MFA_REQUIRED_ROLES,
      revocationBoundSeconds: bound,
      resultsCacheSeconds: props.resultsCacheSeconds ?? Math.floor(bound / 2),
      architecture: gatehouse.architecture,
    });
    const integration = new HttpLambdaIntegration('HandlerIntegration', this.handler);
    for (const route of exampleRoutes) {
      this.authorizer.addHttpRoutes(this.httpApi, {
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        scopes: route.scopes,
      });
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.httpApi.apiEndpoint,
      description: 'Base URL of the example API protected by Gatehouse',
    });

    suppressExampleApiNagFindings(this, gatehouse);
  }
}
