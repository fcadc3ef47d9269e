import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aspects, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaRuntime } from '../../lib/architecture';
import { ExampleApiStack } from '../../lib/example-api-stack';
import { defaultRevocationCacheSeconds, defaultThrottle } from '../../lib/gatehouse-stack';
import { exampleRouteKey, exampleRouteScopes, exampleRoutes } from '../../src/example/routes';
import { tables } from '../../src/store/schema';
import {
  lambdaProperties,
  nagSuppressions,
  referencedIds,
  resources,
  roleStatements,
  type Synthesized,
  synthGatehouse,
  usersAttributeCondition,
} from './synth';

let synth: Synthesized;
let example: ExampleApiStack;
let template: Template;
const ids = { api: '', authorizer: '', authorizerFunction: '', handler: '' };

beforeAll(() => {
  // Only the example stack is bundled; the checks run on the whole app, as in bin/app.ts.
  synth = synthGatehouse(
    {},
    (app, gatehouse) => {
      example = new ExampleApiStack(app, 'GatehouseExampleApi', { gatehouse });
      Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    },
    { 'aws:cdk:bundling-stacks': ['GatehouseExampleApi'] },
  );
  template = Template.fromJSON(synth.assembly.getStackArtifact(example.artifactId).template);
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    example.getLogicalId(construct.node.defaultChild as CfnElement);
  ids.api = id(example.httpApi);
  ids.authorizerFunction = id(example.authorizer.function);
  ids.handler = id(example.handler);
  ids.authorizer = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0] ?? '';
});
afterAll(() => synth.cleanUp());

const lambda = (id: string) => lambdaProperties(template, id);
const variables = () => lambda(ids.authorizerFunction).Environment.Variables;

/** What a `Fn::ImportValue` in the example template reads from the Gatehouse stack. */
const exported = (value: unknown): unknown => {
  const name = (value as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
  expect(name).toBeDefined();
  const outputs = synth.template.toJSON().Outputs as Record<
    string,
    { Value: unknown; Export?: { Name: string } }
  >;
  return Object.values(outputs).find((output) => output.Export?.Name === name)?.Value;
};
const gatehouseId = (construct: { node: { defaultChild?: unknown } }) =>
  synth.stack.getLogicalId(construct.node.defaultChild as CfnElement);

describe('routes', () => {
  const routeResources = () =>
    Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties as Record<string, unknown>,
    );

  it('are exactly the example routes', () => {
    const keys = routeResources().map((route) => route.RouteKey);
    expect(keys.sort()).toEqual(exampleRoutes.map(exampleRouteKey).sort());
  });

  it.each(exampleRoutes.map(exampleRouteKey))('%s has the Gatehouse authorizer', (key) => {
    const route = routeResources().find((resource) => resource.RouteKey === key);
    expect(route).toMatchObject({
      ApiId: { Ref: ids.api },
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: ids.authorizer },
    });
    const [integrationId] = [...referencedIds(route?.Target)];
    const integration = resources(template)[integrationId ?? ''];
    expect([...referencedIds(integration?.Properties?.IntegrationUri)]).toEqual([ids.handler]);
  });
});

describe('authorizer', () => {
  const bound = defaultRevocationCacheSeconds;
  const cached = Math.floor(bound / 2);

  it('is the authorizer function, simple responses, cached per token and route', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    const authorizer = resources(template)[ids.authorizer]?.Properties ?? {};
    expect(authorizer).toMatchObject({
      ApiId: { Ref: ids.api },
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: cached,
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
    });
    expect([...referencedIds(authorizer.AuthorizerUri)]).toEqual([ids.authorizerFunction]);
  });

  it('may be invoked by API Gateway for this authorizer only', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [ids.authorizerFunction, 'Arn'] },
      SourceArn: {
        'Fn::Join': [
          '',
          Match.arrayWith([{ Ref: ids.api }, '/authorizers/', { Ref: ids.authorizer }]),
        ],
      },
    });
  });

  it("gets each route's scopes in AUTHORIZER_ROUTE_SCOPES", () => {
    const routeScopes = variables().AUTHORIZER_ROUTE_SCOPES;
    expect(typeof routeScopes).toBe('string');
    expect(JSON.parse(routeScopes as string)).toEqual(exampleRouteScopes);
  });

  it("keeps, of Gatehouse's revocation bound, what API Gateway's cache does not use", () => {
    expect(variables().REVOCATION_CACHE_SECONDS).toBe(String(bound - cached));
    expect(cached).toBeGreaterThan(0);
  });

  it("reads Gatehouse's issuer and tables, and nothing else", () => {
    const { users, tokens } = synth.stack.tables.byName;
    const env = variables();
    expect(Object.keys(env).sort()).toEqual(
      [
        'AUTHORIZER_ROUTE_SCOPES',
        'ISSUER_URL',
        'NODE_OPTIONS',
        'REVOCATION_CACHE_SECONDS',
        tables.tokens.envVar,
        tables.users.envVar,
      ].sort(),
    );
    expect(exported(env.ISSUER_URL)).toEqual({
      'Fn::GetAtt': [gatehouseId(synth.stack.api.httpApi), 'ApiEndpoint'],
    });
    expect(exported(env[tables.users.envVar])).toEqual({ Ref: gatehouseId(users) });
    expect(exported(env[tables.tokens.envVar])).toEqual({ Ref: gatehouseId(tokens) });
    // Deny-with-reason is for Gatehouse's own API only.
    expect(env).not.toHaveProperty('AUTHORIZER_DENY_WITH_REASON');
    expect(env).not.toHaveProperty('REQUIRE_API_KEY');
  });

  it('holds the least privilege of the Gatehouse authorizer', () => {
    const { users, tokens } = synth.stack.tables.byName;
    const roleId = lambda(ids.authorizerFunction).Role['Fn::GetAtt'][0];
    const statements = roleStatements(template, roleId).map((statement) => ({
      ...statement,
      targets: ([] as unknown[])
        .concat(statement.Resource)
        .map((resource) =>
          typeof resource === 'object' && resource && 'Fn::ImportValue' in resource
            ? exported(resource)
            : resource,
        ),
    }));
    const on = (target: unknown) =>
      statements
        .filter((statement) => statement.targets.some((t) => JSON.stringify(t) === target))
        .flatMap((statement) => statement.actions);
    const arnOf = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });

    // Of users, only GetItem of the role, status and type.
    expect(
      statements.filter((s) =>
        s.targets.some((t) => JSON.stringify(t) === arnOf(gatehouseId(users))),
      ),
    ).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:GetItem',
        Condition: usersAttributeCondition,
      }),
    ]);
    expect(on(arnOf(gatehouseId(tokens)))).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem']),
    );
    expect(on(arnOf(gatehouseId(synth.stack.tables.key)))).toContain('kms:Decrypt');
    // Its log group, the two tables and their key: nothing else, no secret, never "*".
    const allowed = statements.filter((s) => s.Effect !== 'Deny');
    const services = new Set(allowed.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
    expect([...services].sort()).toEqual(['dynamodb', 'kms', 'logs']);
    for (const statement of allowed) {
      expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
    }
    // And the fence: no DynamoDB, KMS or STS outside Gatehouse's account, whatever it is given.
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:*', 'kms:*', 'sts:AssumeRole'],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:ResourceAccount': expect.anything() } },
      }),
    ]);
  });
});

describe('handler', () => {
  it('serves every route from one function that reaches only its own log group', () => {
    const fn = lambda(ids.handler);
    expect(fn).toMatchObject({ Runtime: lambdaRuntime.name, Timeout: 10 });
    expect(fn.Environment.Variables).toEqual({ NODE_OPTIONS: '--enable-source-maps' });
    const statements = roleStatements(template, fn.Role['Fn::GetAtt'][0]);
    expect(statements.map((s) => [...s.resourceIds])).toEqual([[fn.LoggingConfig.LogGroup.Ref]]);
  });

  it.each([
    ['handler', () => ids.handler],
    ['authorizer', () => ids.authorizerFunction],
  ])('the %s function is bundled', (_name, id) => {
    const dir = join(synth.directory, `asset.${lambda(id()).Code.S3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
  });
});

it('has a throttled, logged default stage and outputs its URL', () => {
  template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
    ApiId: { Ref: ids.api },
    StageName: '$default',
    AutoDeploy: true,
    DefaultRouteSettings: {
      ThrottlingBurstLimit: defaultThrottle.burstLimit,
      ThrottlingRateLimit: defaultThrottle.rateLimit,
    },
    AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('routeKey') }),
  });
  template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [ids.api, 'ApiEndpoint'] } });
});

describe('cdk-nag', () => {
  // The messages of the app's one synthesis, as `cdk synth` reports them. (Annotations.fromStack
  // synthesizes again, and a second pass sees the cross-stack references already resolved.)
  it.each(['error', 'warning'] as const)('AwsSolutions: no %s', (level) => {
    const found = synth.assembly
      .getStackArtifact(example.artifactId)
      .messages.filter((message) => message.level === level)
      .map((message) => `${message.id}: ${String(message.entry.data)}`);
    expect(found).toEqual([]);
  });

  it('really ran on the stack', () => {
    const [report] = readdirSync(synth.directory).filter((file) =>
      /^AwsSolutions-.*GatehouseExampleApi.*\.csv$/.test(file),
    );
    const rows = readFileSync(join(synth.directory, report ?? ''), 'utf8');
    expect(rows).toMatch(/"AwsSolutions-APIG4",.*,"Compliant"/);
    expect(rows).toMatch(/"AwsSolutions-IAM5",.*,"Suppressed"/);
    expect(rows).not.toMatch(/Non-Compliant/);
  });

  it('waives only the key wildcards of the lastUsedAt update', () => {
    const suppressions = nagSuppressions(template);
    expect(new Set(suppressions.map((s) => s.id))).toEqual(new Set(['AwsSolutions-IAM5']));
    const waived = new Set(suppressions.flatMap((s) => s.applies_to ?? []));
    expect([...waived].sort()).toEqual(
      // No index wildcard: the authorizer reaches items by key only, never an index.
      ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'].sort(),
    );
  });
});
