import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatehouseStack } from '../../lib/gatehouse-stack';
import { referencedIds, resources, type Synthesized, synthGatehouse } from './synth';

const ORIGINS = 'https://a.example, https://b.example';
let synth: Synthesized;

// The template alone is read: no function is bundled.
beforeAll(() => {
  synth = synthGatehouse({ corsAllowedOrigins: ORIGINS }, () => {}, {
    'aws:cdk:bundling-stacks': [],
  });
});
afterAll(() => synth.cleanUp());

describe('CORS on the deployed API', () => {
  it('gives every function CORS_ALLOWED_ORIGINS, as the service reads it', () => {
    const functions = Object.values(synth.template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.CORS_ALLOWED_ORIGINS).toBe(
        'https://a.example,https://b.example',
      );
    }
  });

  it('leaves CORS to the functions: no CorsConfiguration on the HTTP API', () => {
    const apis = Object.values(resources(synth.template)).filter(
      (resource) => resource.Type === 'AWS::ApiGatewayV2::Api',
    );
    expect(apis).toHaveLength(1);
    expect(apis[0]?.Properties).not.toHaveProperty('CorsConfiguration');
  });

  it('sends /oauth/* preflights to the oauth function, without authorizer', () => {
    const route = Object.values(resources(synth.template)).find(
      (resource) => resource.Properties?.RouteKey === 'OPTIONS /oauth/{proxy+}',
    );
    expect(route?.Properties?.AuthorizationType).toBe('NONE');
    const [integrationId] = [...referencedIds(route?.Properties?.Target)];
    const integration = resources(synth.template)[integrationId ?? ''];
    expect(integration?.Type).toBe('AWS::ApiGatewayV2::Integration');
    expect([...referencedIds(integration?.Properties?.IntegrationUri)]).toEqual([
      synth.logicalId(synth.stack.functions.byName.oauth),
    ]);
  });

  it('refuses at synth a bad origin, or the setting given twice', () => {
    for (const bad of ['*', 'https://a.example/', 'http://a.example', 'https://*.example']) {
      expect(
        () => new GatehouseStack(new App(), 'Gatehouse', { corsAllowedOrigins: bad }),
        bad,
      ).toThrow(/CORS_ALLOWED_ORIGINS/);
    }
    expect(
      () =>
        new GatehouseStack(new App(), 'Gatehouse', {
          settings: { CORS_ALLOWED_ORIGINS: 'https://a.example' },
        }),
    ).toThrow(/corsAllowedOrigins/);
  });
});
