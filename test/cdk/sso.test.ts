import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatehouseStack } from '../../lib/gatehouse-stack';
import { resources, type Synthesized, synthGatehouse } from './synth';

/** JWT SSO on AWS: the shared key lives in Secrets Manager, only the sso function reads it. */
let synth: Synthesized;
const noBundling = { 'aws:cdk:bundling-stacks': [] };

beforeAll(() => {
  synth = synthGatehouse(
    { settings: { SSO_IDP_URL: 'https://idp.example.com/sso' } },
    () => {},
    noBundling,
  );
});
afterAll(() => synth.cleanUp());

const functionEnvironments = () =>
  Object.values(resources(synth.template))
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map(
      (r) =>
        (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables ?? {},
    );

describe('JWT SSO on AWS', () => {
  it('keeps the shared key in a generated, retained secret, named in an output', () => {
    const secrets = Object.entries(resources(synth.template)).filter(
      ([, r]) => r.Type === 'AWS::SecretsManager::Secret',
    );
    const sso = secrets.find(([id]) => id.includes('SsoJwtSecret'));
    expect(sso?.[1]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { GenerateSecretString: { PasswordLength: 48 } },
    });
    expect(Object.keys(synth.template.toJSON().Outputs)).toContain('SsoJwtSecretArn');
  });

  it('gives the secret to the sso function alone, never its value', () => {
    const withSecret = functionEnvironments().filter((v) => 'SSO_JWT_SECRET_SECRET_ARN' in v);
    expect(withSecret).toHaveLength(1);
    expect(withSecret[0]?.SSO_IDP_URL).toBe('https://idp.example.com/sso');
    for (const variables of functionEnvironments()) {
      expect(variables).not.toHaveProperty('SSO_JWT_SECRET');
    }
  });

  it('makes no SSO secret when SSO is not set up, and refuses the key in plain settings', () => {
    const plain = new GatehouseStack(new App({ context: noBundling }), 'Plain');
    expect(plain.secrets.ssoJwtSecret).toBeUndefined();
    expect(
      () =>
        new GatehouseStack(new App({ context: noBundling }), 'Leaky', {
          settings: { SSO_JWT_SECRET: 'x'.repeat(32) },
        }),
    ).toThrow(/SSO_JWT_SECRET/);
  });
});
