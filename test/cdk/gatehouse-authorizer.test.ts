import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GatehouseAuthorizer, type GatehouseAuthorizerProps } from '../../lib/gatehouse-authorizer';
import { tables } from '../../src/store/schema';
import {
  lambdaProperties,
  referencedIds,
  resources,
  roleStatements,
  usersAttributeCondition,
} from './synth';

// Another team's stack in Gatehouse's account and region, importing its tables by ARN.
const region = 'eu-west-1';
const account = '111122223333';
const usersArn = `arn:aws:dynamodb:${region}:${account}:table/Gatehouse-TablesUsers-1`;
const tokensArn = `arn:aws:dynamodb:${region}:${account}:table/Gatehouse-TablesTokens-1`;
const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const issuerUrl = 'https://gatehouse.example.com';

/** A team stack with Gatehouse's tables imported; no bundling, so no esbuild run. */
const teamStack = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Team', { env: { account, region } });
  const encryptionKey = Key.fromKeyArn(stack, 'GatehouseKey', keyArn);
  const usersTable = Table.fromTableAttributes(stack, 'Users', {
    tableArn: usersArn,
    encryptionKey,
  });
  const tokensTable = Table.fromTableAttributes(stack, 'Tokens', {
    tableArn: tokensArn,
    encryptionKey,
  });
  const authorizer = (props: Partial<GatehouseAuthorizerProps> = {}) =>
    new GatehouseAuthorizer(stack, 'Gatehouse', { issuerUrl, usersTable, tokensTable, ...props });
  return { app, stack, authorizer };
};

const lambdaOf = (stack: Stack, template: Template, fn: IConstruct) =>
  lambdaProperties(template, stack.getLogicalId(fn.node.defaultChild as CfnElement));
const variablesOf = (stack: Stack, fn: IConstruct) =>
  lambdaOf(stack, Template.fromStack(stack), fn).Environment.Variables as Record<string, string>;

describe('on a REST API', () => {
  let template: Template;
  let stack: Stack;
  let authorizer: GatehouseAuthorizer;
  const ids = { fn: '', authorizer: '', api: '' };

  beforeAll(() => {
    const team = teamStack();
    stack = team.stack;
    authorizer = team.authorizer({
      audience: 'https://api.team.example.com',
      revocationBoundSeconds: 30,
      resultsCacheSeconds: 20,
    });
    const api = new RestApi(stack, 'Api');
    const sessions = api.root.addResource('sessions');
    const session = sessions.addResource('{session_id}');
    const integration = new MockIntegration();
    authorizer.addRestMethod(sessions, 'GET', integration, ['read_user_session']);
    authorizer.addRestMethod(sessions, 'post', integration, ['create_session']);
    authorizer.addRestMethod(session, 'GET', integration, ['read_user_session']);
    authorizer.addRestMethod(session, 'DELETE', integration, ['delete_user_session', 'cli']);
    template = Template.fromStack(stack);
    ids.fn = stack.getLogicalId(authorizer.function.node.defaultChild as CfnElement);
    ids.api = stack.getLogicalId(api.node.defaultChild as CfnElement);
    ids.authorizer = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0] ?? '';
  });

  it('has one request authorizer: the function, the Authorization header, the cache TTL', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    const properties = resources(template)[ids.authorizer]?.Properties ?? {};
    expect(properties).toMatchObject({
      Type: 'REQUEST',
      RestApiId: { Ref: ids.api },
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 20,
    });
    expect([...referencedIds(properties.AuthorizerUri)]).toEqual([ids.fn]);
  });

  it('puts it on every method', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
      (method) => method.Properties,
    );
    expect(methods.map((method) => method.HttpMethod).sort()).toEqual([
      'DELETE',
      'GET',
      'GET',
      'POST',
    ]);
    for (const method of methods) {
      expect(method).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: ids.authorizer },
      });
    }
  });

  it('may be invoked by API Gateway for this authorizer', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (permission) => permission.Properties,
    );
    expect(permissions).toContainEqual(
      expect.objectContaining({
        Principal: 'apigateway.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [ids.fn, 'Arn'] },
      }),
    );
    const forAuthorizer = permissions.filter((p) =>
      JSON.stringify(p.SourceArn).includes(`"Ref":"${ids.authorizer}"`),
    );
    expect(forAuthorizer).toHaveLength(1);
  });

  it('gives the function the method scopes, the issuer, the tables and the rest of the bound', () => {
    const env = lambdaOf(stack, template, authorizer.function).Environment.Variables as Record<
      string,
      string
    >;
    expect(JSON.parse(env.AUTHORIZER_ROUTE_SCOPES ?? '')).toEqual({
      'GET /sessions': ['read_user_session'],
      'POST /sessions': ['create_session'],
      'GET /sessions/{session_id}': ['read_user_session'],
      'DELETE /sessions/{session_id}': ['delete_user_session', 'cli'],
    });
    expect(env).toEqual({
      AUTHORIZER_ROUTE_SCOPES: env.AUTHORIZER_ROUTE_SCOPES,
      ISSUER_URL: issuerUrl,
      ACCESS_TOKEN_AUDIENCE: 'https://api.team.example.com',
      // 30 s of bound, 20 of them in API Gateway's cache.
      REVOCATION_CACHE_SECONDS: '10',
      NODE_OPTIONS: '--enable-source-maps',
      [tables.users.envVar]: 'Gatehouse-TablesUsers-1',
      [tables.tokens.envVar]: 'Gatehouse-TablesTokens-1',
    });
  });

  // The exact item grants: test/cdk/least-privilege.test.ts.
  it('reads users attribute by attribute, tokens item by item (and the revocation feed), decrypts with the key', () => {
    const roleId = lambdaOf(stack, template, authorizer.function).Role['Fn::GetAtt'][0];
    const statements = roleStatements(template, roleId);
    const on = (arn: string) =>
      statements.filter((s) => ([] as unknown[]).concat(s.Resource).includes(arn));
    expect(on(usersArn)).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:GetItem',
        Condition: usersAttributeCondition,
      }),
    ]);
    expect([...new Set(on(tokensArn).flatMap((s) => s.actions))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    // Its one Query: the revocation feed's partitions, the table only (no index).
    const queries = on(tokensArn).filter((s) => s.actions.includes('dynamodb:Query'));
    expect(
      queries.map((s) => (s.Condition as Record<string, unknown>)['ForAllValues:StringLike']),
    ).toEqual([{ 'dynamodb:LeadingKeys': ['REVOKED#*'] }]);
    expect(queries.map((s) => s.Resource)).toEqual([tokensArn]);
    expect(on(keyArn).flatMap((s) => s.actions)).toContain('kms:Decrypt');
    const allowed = statements.filter((s) => s.Effect === 'Allow');
    const services = new Set(allowed.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
    expect([...services].sort()).toEqual(['dynamodb', 'kms', 'logs']);
    // The fence: nothing in DynamoDB, KMS or STS outside the tables' account.
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:*', 'kms:*', 'sts:AssumeRole'],
        Condition: { StringNotEquals: { 'aws:ResourceAccount': usersArn.split(':')[4] } },
      }),
    ]);
  });
});

describe('requireApiKey', () => {
  it('adds x-api-key to the identity sources of both API kinds, and REQUIRE_API_KEY=1', () => {
    const { stack, authorizer } = teamStack();
    const gatehouse = authorizer({ requireApiKey: true, revocationBoundSeconds: 0 });
    const httpApi = new HttpApi(stack, 'Http');
    gatehouse.addHttpRoutes(httpApi, {
      path: '/models',
      methods: [HttpMethod.POST],
      integration: new HttpUrlIntegration('Url', 'https://backend.example.com'),
      scopes: ['custom_model'],
    });
    const restApi = new RestApi(stack, 'Rest');
    gatehouse.addRestMethod(restApi.root, 'GET', new MockIntegration(), ['model_download']);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      IdentitySource: [
        '$request.header.Authorization',
        '$context.routeKey',
        '$request.header.x-api-key',
      ],
      AuthorizerResultTtlInSeconds: 0,
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      IdentitySource: 'method.request.header.Authorization,method.request.header.x-api-key',
      AuthorizerResultTtlInSeconds: 0,
    });
    const env = variablesOf(stack, gatehouse.function);
    expect(env.REQUIRE_API_KEY).toBe('1');
    expect(env.REVOCATION_CACHE_SECONDS).toBe('0');
    expect(JSON.parse(env.AUTHORIZER_ROUTE_SCOPES ?? '')).toEqual({
      'POST /models': ['custom_model'],
      'GET /': ['model_download'],
    });
    expect(env).not.toHaveProperty('AUTHORIZER_DENY_WITH_REASON');
  });
});

describe('refuses at synth time', () => {
  it.each([
    [{ resultsCacheSeconds: 11 }, /resultsCacheSeconds must be an integer from 0 to .*\(10\)/],
    [{ revocationBoundSeconds: 5, resultsCacheSeconds: 6 }, /resultsCacheSeconds .*\(5\)/],
    [{ resultsCacheSeconds: -1 }, /resultsCacheSeconds/],
    [{ resultsCacheSeconds: 1.5 }, /resultsCacheSeconds/],
    [{ revocationBoundSeconds: 301 }, /revocationBoundSeconds .* 0 to 300/],
    [{ scopeCatalog: '{"guest":["x"]}' }, /SCOPE_CATALOG names an unknown role "guest"/],
    [{ mfaRequiredRoles: 'admin,guest' }, /MFA_REQUIRED_ROLES names an unknown role "guest"/],
  ] as [Partial<GatehouseAuthorizerProps>, RegExp][])('props %j', (props, message) => {
    expect(() => teamStack().authorizer(props)).toThrow(message);
  });

  const withRestApi = (props: Partial<GatehouseAuthorizerProps> = {}) => {
    const team = teamStack();
    const api = new RestApi(team.stack, 'Api');
    return { ...team, gatehouse: team.authorizer(props), resource: api.root.addResource('things') };
  };

  it('a scope not in the catalog, an empty scope list, a method protected twice, ANY', () => {
    const { gatehouse, resource } = withRestApi();
    const integration = new MockIntegration();
    expect(() => gatehouse.addRestMethod(resource, 'GET', integration, ['read_things'])).toThrow(
      /GET \/things: read_things not in the scope catalog/,
    );
    expect(() => gatehouse.addRestMethod(resource, 'GET', integration, [])).toThrow(
      /GET \/things: name the scopes/,
    );
    gatehouse.addRestMethod(resource, 'GET', integration, ['read_all_session']);
    expect(() => gatehouse.addRestMethod(resource, 'get', integration, ['cli'])).toThrow(
      /GET \/things is already protected/,
    );
    expect(() => gatehouse.addRestMethod(resource, 'ANY', integration, ['cli'])).toThrow(/ANY/);
  });

  it('an HTTP route added twice, before adding anything', () => {
    const { stack, authorizer } = teamStack();
    const gatehouse = authorizer();
    const api = new HttpApi(stack, 'Http');
    const route = {
      path: '/things',
      methods: [HttpMethod.GET, HttpMethod.PUT],
      integration: new HttpUrlIntegration('Url', 'https://backend.example.com'),
      scopes: ['cli'],
    };
    expect(gatehouse.addHttpRoutes(api, route)).toHaveLength(2);
    expect(() =>
      gatehouse.addHttpRoutes(api, { ...route, methods: [HttpMethod.POST, HttpMethod.PUT] }),
    ).toThrow(/PUT \/things is already protected/);
    // POST was not added either: the routes are checked before any is made.
    expect(api.node.tryFindChild('GET--things')).toBeDefined();
    expect(api.node.tryFindChild('POST--things')).toBeUndefined();
  });

  it('checks scopes against a custom catalog instead of the default one', () => {
    const scopeCatalog = JSON.stringify({ viewer: ['read_things'], editor: ['write_things'] });
    const { gatehouse, resource } = withRestApi({ scopeCatalog });
    const integration = new MockIntegration();
    gatehouse.addRestMethod(resource, 'PUT', integration, ['write_things']);
    expect(() =>
      gatehouse.addRestMethod(resource, 'GET', integration, ['read_user_session']),
    ).toThrow(/read_user_session not in the scope catalog/);
    expect(variablesOf(gatehouse.node.scope as Stack, gatehouse.function).SCOPE_CATALOG).toBe(
      scopeCatalog,
    );
  });

  it("judges API tokens under Gatehouse's MFA_REQUIRED_ROLES", () => {
    const { gatehouse, resource } = withRestApi({ mfaRequiredRoles: 'admin,owner' });
    gatehouse.addRestMethod(resource, 'GET', new MockIntegration(), ['profile']);
    expect(variablesOf(gatehouse.node.scope as Stack, gatehouse.function).MFA_REQUIRED_ROLES).toBe(
      'admin,owner',
    );
  });

  it('an authorizer that protects no route', () => {
    const { app, authorizer } = teamStack();
    authorizer();
    expect(() => app.synth()).toThrow(/protects no route/);
  });
});
