import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { architectureFromContext } from '../lib/architecture';
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
// From cdk.json a list; from `-c authorizerAccounts=222222222222,333333333333` a comma-separated string.
const listContext = (key: string): string[] | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' && value !== ''
    ? value.split(',').map((item) => item.trim())
    : undefined;
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
  // arm64 unless `-c architecture=x86_64`; any other value fails the synth.
  architecture: architectureFromContext(app.node.tryGetContext('architecture')),
  // Browser apps' origins (comma-separated); the environment at synth when no context.
  corsAllowedOrigins:
    context('corsAllowedOrigins') ?? (process.env.CORS_ALLOWED_ORIGINS || undefined),
  // A custom domain: the issuer becomes https://<domainName> (docs/aws.md, Custom domain).
  domainName: context('domainName'),
  certificateArn: context('certificateArn'),
  hostedZoneId: context('hostedZoneId'),
  hostedZoneName: context('hostedZoneName'),
  // The AuthorizerReader role: which accounts may read as the authorizer, each narrowed to its
  // roles (exact ARNs or `role/Prefix-*`) or by an external id: a bare account is refused.
  authorizerAccounts: listContext('authorizerAccounts'),
  authorizerPrincipalArns: listContext('authorizerPrincipalArns'),
  authorizerExternalId: context('authorizerExternalId'),
  // Subscribed to the alarm topic; unset: subscribe to the AlarmTopicArn output yourself.
  alarmEmail: context('alarmEmail'),
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
