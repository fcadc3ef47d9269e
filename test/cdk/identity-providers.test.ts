import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GatehouseStack, type GatehouseStackProps } from '../../lib/gatehouse-stack';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../../src/http/functions';
import { routeKey, routes } from '../../src/http/routes';
import { lambdaProperties, resources, roleStatements } from './synth';

/**
 * Invariant: the OIDC providers' list (client secrets included) lives in one secret that only
 * the functions serving providers may read (GetSecretValue alone), never in the template.
 */
const noBundling = { 'aws:cdk:bundling-stacks': [] };
const stackWith = (props: GatehouseStackProps, id = 'Gatehouse') =>
  new GatehouseStack(new App({ context: noBundling }), id, props);

const stack = stackWith({
  identityProviders: true,
  emailFrom: 'no-reply@example.com',
  settings: { USERS_IMPORT_PROVIDER: 'globus', SIGN_UP_ENABLED: '1' },
});
const template = Template.fromStack(stack);
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const secret = stack.secrets.identityProviders;
const secretId = secret ? logicalId(secret) : 'none';
const names = Object.keys(functionSpecs) as FunctionName[];
const readers = names.filter(
  (name) => (functionSpecs[name] as FunctionSpec).readsIdentityProviders,
);

const accessOf = (fn: { node: { defaultChild?: unknown } }) => {
  const properties = lambdaProperties(template, logicalId(fn));
  return {
    variables: properties.Environment.Variables,
    actions: roleStatements(template, properties.Role['Fn::GetAtt'][0])
      .filter((s) => s.resourceIds.has(secretId))
      .flatMap((s) => s.actions),
  };
};

describe('identity providers on AWS', () => {
  it('keep their list in a retained secret that starts as [] (no provider), named in an output', () => {
    expect(resources(template)[secretId]).toMatchObject({
      Type: 'AWS::SecretsManager::Secret',
      DeletionPolicy: 'Retain',
      Properties: { SecretString: '[]' },
    });
    expect(template.toJSON().Outputs.IdentityProvidersSecretArn).toMatchObject({
      Value: { Ref: secretId },
    });
  });

  it('are read by the sso (federation), pages (buttons) and users (linked identities) functions', () => {
    expect(readers.sort()).toEqual(['pages', 'sso', 'users']);
  });

  it.each(names)(
    '%s gets GetSecretValue on it (and its ARN) only if it reads providers',
    (name) => {
      const { variables, actions } = accessOf(stack.functions.byName[name]);
      const reads = readers.includes(name);
      expect(variables.IDENTITY_PROVIDERS_SECRET_ARN).toEqual(
        reads ? { Ref: secretId } : undefined,
      );
      expect(actions).toEqual(reads ? ['secretsmanager:GetSecretValue'] : []);
      // The list itself, with its client secrets, is never plain environment.
      expect(variables).not.toHaveProperty('IDENTITY_PROVIDERS');
    },
  );

  it.each(names)('%s is given USERS_IMPORT_PROVIDER only if it has the list it names', (name) => {
    const { variables } = accessOf(stack.functions.byName[name]);
    expect(variables.USERS_IMPORT_PROVIDER).toBe(readers.includes(name) ? 'globus' : undefined);
    expect(variables.SIGN_UP_ENABLED).toBe('1');
  });

  it('is out of the mailer’s reach', () => {
    expect(stack.functions.mailer && accessOf(stack.functions.mailer).actions).toEqual([]);
  });

  it('serves every federation and linked-identity route from a function that reads them', () => {
    const federated = routes.filter((route) =>
      /^\/auth\/(providers|federated)(\/|$)|^\/users\/\{id\}\/identities/.test(route.path),
    );
    const templateRoutes = Object.values(resources(template))
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties?.RouteKey);
    for (const route of federated) {
      expect(readers).toContain(route.function);
      expect(templateRoutes).toContain(routeKey(route));
    }
  });
});

describe('without identity providers', () => {
  const plain = stackWith({});
  const plainTemplate = Template.fromStack(plain);

  it('makes no secret and gives no function its ARN', () => {
    expect(plain.secrets.identityProviders).toBeUndefined();
    for (const fn of Object.values(plain.functions.byName)) {
      const properties = lambdaProperties(
        plainTemplate,
        plain.getLogicalId(fn.node.defaultChild as CfnElement),
      );
      expect(properties.Environment.Variables).not.toHaveProperty('IDENTITY_PROVIDERS_SECRET_ARN');
    }
  });

  it('refuses the list in plain settings, where its client secrets would be in the template', () => {
    expect(() =>
      stackWith({ identityProviders: true, settings: { IDENTITY_PROVIDERS: '[]' } }, 'Leaky'),
    ).toThrow(/IDENTITY_PROVIDERS would sit in plain text/);
  });

  it('refuses USERS_IMPORT_PROVIDER, which would name a provider no function has', () => {
    expect(() => stackWith({ settings: { USERS_IMPORT_PROVIDER: 'globus' } }, 'Orphan')).toThrow(
      /USERS_IMPORT_PROVIDER.*identityProviders/,
    );
  });
});
