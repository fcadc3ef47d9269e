import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultThrottle } from '../../lib/gatehouse-stack';
import { routeKey, routes } from '../../src/http/routes';
import { pageRouteKey, pageRoutes } from '../../src/web/routes';
import { noBundling, referencedIds, resources, type Synthesized, synthGatehouse } from './synth';

let synth: Synthesized;
let apiId: string;
let authorizerFunctionId: string;
let authorizerId: string;

beforeAll(() => {
  synth = synthGatehouse({}, () => {}, noBundling);
  apiId = synth.logicalId(synth.stack.api.httpApi);
  authorizerFunctionId = synth.logicalId(synth.stack.functions.byName.authorizer);
  const [id] = Object.keys(synth.template.findResources('AWS::ApiGatewayV2::Authorizer'));
  authorizerId = id ?? '';
});
afterAll(() => synth.cleanUp());

const routeResources = () =>
  Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).map(
    (route) => route.Properties as Record<string, unknown>,
  );

const integrationFunction = (target: unknown): string => {
  const [integrationId] = [...referencedIds(target)];
  const integration = resources(synth.template)[integrationId ?? ''];
  expect(integration?.Type).toBe('AWS::ApiGatewayV2::Integration');
  const [functionId] = [...referencedIds(integration?.Properties?.IntegrationUri)];
  return functionId ?? '';
};

describe('routes', () => {
  it('has exactly one route per route table entry and per page route, plus $default and /oauth/* preflights', () => {
    const keys = routeResources().map((route) => route.RouteKey);
    expect(keys.sort()).toEqual(
      [
        ...routes.map(routeKey),
        ...pageRoutes.map(pageRouteKey),
        '$default',
        'OPTIONS /oauth/{proxy+}',
      ].sort(),
    );
  });

  it('keeps the page routes apart from the API routes: /oauth/authorize is a page only', () => {
    const apiKeys = new Set(routes.map(routeKey));
    expect(pageRoutes.map(pageRouteKey).filter((key) => apiKeys.has(key))).toEqual([]);
    expect(routes.filter((route) => route.path === '/oauth/authorize')).toEqual([]);
    expect(pageRoutes.map(pageRouteKey)).toContain('GET /oauth/authorize');
  });

  it.each(routes.map((route) => [routeKey(route), route] as const))('%s', (key, route) => {
    const found = routeResources().find((resource) => resource.RouteKey === key);
    expect(found).toBeDefined();
    if (route.auth === 'public') {
      expect(found?.AuthorizationType).toBe('NONE');
      expect(found?.AuthorizerId).toBeUndefined();
    } else {
      expect(found?.AuthorizationType).toBe('CUSTOM');
      expect(found?.AuthorizerId).toEqual({ Ref: authorizerId });
    }
    expect(integrationFunction(found?.Target)).toBe(
      synth.logicalId(synth.stack.functions.byName[route.function]),
    );
  });

  // The pages read their own session cookie: API Gateway lets every request through to them.
  it.each(pageRoutes.map(pageRouteKey))('%s, without authorizer, to the pages function', (key) => {
    const found = routeResources().find((resource) => resource.RouteKey === key);
    expect(found).toBeDefined();
    expect(found?.AuthorizationType).toBe('NONE');
    expect(found?.AuthorizerId).toBeUndefined();
    expect(integrationFunction(found?.Target)).toBe(
      synth.logicalId(synth.stack.functions.byName.pages),
    );
  });

  it('sends $default, without authorizer, to the discovery function', () => {
    const fallback = routeResources().find((resource) => resource.RouteKey === '$default');
    expect(fallback?.AuthorizationType).toBe('NONE');
    expect(fallback?.AuthorizerId).toBeUndefined();
    expect(integrationFunction(fallback?.Target)).toBe(
      synth.logicalId(synth.stack.functions.byName.discovery),
    );
  });
});

describe('authorizer', () => {
  it('is the authorizer function, simple responses, uncached, with no identity source', () => {
    synth.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    const authorizer = resources(synth.template)[authorizerId]?.Properties ?? {};
    expect(authorizer).toMatchObject({
      ApiId: { Ref: apiId },
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: [],
    });
    expect([...referencedIds(authorizer.AuthorizerUri)]).toEqual([authorizerFunctionId]);
  });

  it('may be invoked by API Gateway for this authorizer only', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [authorizerFunctionId, 'Arn'] },
      SourceArn: {
        'Fn::Join': ['', Match.arrayWith([{ Ref: apiId }, '/authorizers/', { Ref: authorizerId }])],
      },
    });
  });

  it('runs in deny-with-reason mode, and only the authorizer function knows it', () => {
    const withMode = Object.entries(synth.template.findResources('AWS::Lambda::Function')).filter(
      ([, fn]) => fn.Properties.Environment.Variables.AUTHORIZER_DENY_WITH_REASON !== undefined,
    );
    expect(
      withMode.map(([id, fn]) => [
        id,
        fn.Properties.Environment.Variables.AUTHORIZER_DENY_WITH_REASON,
      ]),
    ).toEqual([[authorizerFunctionId, '1']]);
  });
});

interface StageProperties {
  DefaultRouteSettings: unknown;
  AccessLogSettings: { DestinationArn: unknown; Format: string };
}

describe('stage', () => {
  const stage = () => {
    synth.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    return Object.values(synth.template.findResources('AWS::ApiGatewayV2::Stage'))[0]
      ?.Properties as unknown as StageProperties;
  };

  it('is the auto-deployed default stage of the API', () => {
    expect(stage()).toMatchObject({
      ApiId: { Ref: apiId },
      StageName: '$default',
      AutoDeploy: true,
    });
  });

  it('throttles every route by default', () => {
    expect(stage().DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: defaultThrottle.burstLimit,
      ThrottlingRateLimit: defaultThrottle.rateLimit,
    });
  });

  it('writes JSON access logs to a log group with retention, without secrets', () => {
    const { DestinationArn, Format } = stage().AccessLogSettings;
    const [logGroupId] = [...referencedIds(DestinationArn)];
    const logGroup = resources(synth.template)[logGroupId ?? ''];
    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup?.Properties?.RetentionInDays).toBeGreaterThan(0);

    const fields = JSON.parse(Format) as Record<string, string>;
    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    for (const variable of Object.values(fields)) {
      expect(variable).toMatch(/^\$context\.[A-Za-z.]+$/);
      expect(variable.toLowerCase()).not.toMatch(/authorization|header|querystring|query/);
    }
  });
});

/** Resource ids on a dependency cycle (Ref, GetAtt, Sub and DependsOn edges), if any. */
const dependencyCycle = (all: ReturnType<typeof resources>): string[] | null => {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    const resource = all[id];
    const edges = referencedIds(resource?.Properties);
    for (const dep of ([] as string[]).concat(resource?.DependsOn ?? [])) edges.add(dep);
    for (const next of edges) {
      if (!(next in all)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of Object.keys(all)) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return null;
};

describe('issuer and outputs', () => {
  it('has no dependency cycle although the functions read the API endpoint', () => {
    const all = resources(synth.template);
    expect(dependencyCycle(all)).toBeNull();
    // The check itself finds a cycle when there is one.
    const looped = {
      ...all,
      [apiId]: { ...all[apiId], DependsOn: [authorizerFunctionId] } as (typeof all)[string],
    };
    expect(dependencyCycle(looped)).toContain(apiId);
  });

  it('gives every function the API endpoint as ISSUER_URL', () => {
    const functions = Object.values(synth.template.findResources('AWS::Lambda::Function'));
    // The route functions, and the signing keys' rotation, which names the issuer in the JWKS it checks.
    expect(functions).toHaveLength(Object.keys(synth.stack.functions.byName).length + 1);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.ISSUER_URL).toEqual({
        'Fn::GetAtt': [apiId, 'ApiEndpoint'],
      });
    }
  });

  it('outputs the API URL and the owner password secret ARN', () => {
    synth.template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] } });
    synth.template.hasOutput('DefaultOwnerPasswordSecretArn', {
      Value: { Ref: synth.logicalId(synth.stack.secrets.defaultOwnerPassword) },
    });
  });
});
