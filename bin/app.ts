import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ExampleApiStack } from '../lib/example-api-stack';
import { GatehouseStack } from '../lib/gatehouse-stack';

const app = new App();
const context = (key: string): string | undefined => app.node.tryGetContext(key) || undefined;
// From cdk.json a number, from `-c revocationCacheSeconds=5` a string; unset or empty: the default.
const numberContext = (key: string): number | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : Number(value);
};
// From cdk.json a boolean, from `-c identityProviders=true` a string.
const booleanContext = (key: string): boolean => {
  const value: unknown = app.node.tryGetContext(key);
  return value === true || value === 'true';
};
// From cdk.json an object; from `-c settings='{"SIGN_UP_ENABLED":"1"}'` a JSON string.
const settings = app.node.tryGetContext('settings') as Record<string, string> | string | undefined;

const gatehouse = new GatehouseStack(app, 'Gatehouse', {
  description: 'Gatehouse: user authentication and user management for serverless APIs',
  defaultOwnerEmail: context('defaultOwnerEmail'),
  defaultOwnerUsername: context('defaultOwnerUsername'),
  settings: typeof settings === 'string' ? JSON.parse(settings) : settings,
  revocationCacheSeconds: numberContext('revocationCacheSeconds'),
  auditRetentionDays: numberContext('auditRetentionDays'),
  // OIDC federation: the IDENTITY_PROVIDERS secret, which the operator fills after deploy.
  identityProviders: booleanContext('identityProviders'),
  // Days between scheduled signing-key rotations (default 30).
  keyRotationDays: numberContext('keyRotationDays'),
  // Unset: no function may send mail (sign-up verification and password reset fail).
  emailFrom: context('emailFrom'),
  sesIdentity: context('sesIdentity'),
  sesConfigurationSet: context('sesConfigurationSet'),
});

// The example protected API; `-c exampleApi=false` leaves it out.
const exampleApi: unknown = app.node.tryGetContext('exampleApi');
if (exampleApi !== false && exampleApi !== 'false') {
  new ExampleApiStack(app, 'GatehouseExampleApi', {
    description: 'Gatehouse example: an HTTP API behind the Gatehouse authorizer',
    gatehouse,
  });
}

Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
