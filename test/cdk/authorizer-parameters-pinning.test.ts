/**
 * Red team 16 (MEDIUM): GatehouseAuthorizer.fromParameters resolves the issuer, tables, key and
 * reader role from SSM at the consumer's deploy. Whoever can write /gatehouse/<stack>/* must not
 * be able to point a consumer at their own table, key, role or issuer.
 *
 * Invariants, each tested by resolving the synthesized template the way CloudFormation does
 * (Ref, Fn::Join, Fn::Select, Fn::Split) with the SSM values of a deploy:
 * - the published values of Gatehouse's own account and region deploy unchanged;
 * - a table, key or role ARN in another account or region, or an issuer that is not https, fails
 *   the deploy (Fn::Select of a missing element) instead of reaching the function;
 * - the function may touch DynamoDB, KMS and sts:AssumeRole in no account but gatehouseAccount.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { beforeAll, describe, expect, it } from 'vitest';
import { GatehouseAuthorizer } from '../../lib/gatehouse-authorizer';
import { lambdaProperties, roleStatements } from './synth';

const account = '111111111111';
const region = 'eu-west-1';
const prefix = '/gatehouse/Gatehouse/';

/** What the Gatehouse stack publishes in `account`: the values a legitimate deploy resolves. */
const published: Record<string, string> = {
  'issuer-url': 'https://auth.example.com',
  audience: 'https://auth.example.com',
  'users-table-arn': `arn:aws:dynamodb:${region}:${account}:table/Gatehouse-TablesUsers-1`,
  'tokens-table-arn': `arn:aws:dynamodb:${region}:${account}:table/Gatehouse-TablesTokens-1`,
  'tables-key-arn': `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  'reader-role-arn': `arn:aws:iam::${account}:role/Gatehouse-AuthorizerReaderRole-1`,
  'mfa-required-roles': 'admin,owner',
};

type Json = unknown;
/** CloudFormation's evaluation of the intrinsics the authorizer's template uses. */
const resolve = (node: Json, refs: Record<string, string>): Json => {
  if (Array.isArray(node)) return node.map((item) => resolve(item, refs));
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Ref') {
    const value = refs[arg as string];
    if (value === undefined) throw new Error(`unresolved Ref ${String(arg)}`);
    return value;
  }
  if (entries.length === 1 && key === 'Fn::Join') {
    const [separator, parts] = arg as [string, Json[]];
    return (resolve(parts, refs) as string[]).join(separator);
  }
  if (entries.length === 1 && key === 'Fn::Split') {
    const [delimiter, source] = arg as [string, Json];
    return (resolve(source, refs) as string).split(delimiter);
  }
  if (entries.length === 1 && key === 'Fn::Select') {
    const [index, list] = resolve(arg, refs) as [number | string, string[]];
    const picked = list[Number(index)];
    // CloudFormation refuses the template: "Fn::Select cannot select nonexistent value".
    if (picked === undefined)
      throw new Error(`Fn::Select cannot select nonexistent value ${index}`);
    return picked;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, refs)]));
};

describe('fromParameters pins what SSM names to gatehouseAccount and its region', () => {
  interface Consumer {
    stack: Stack;
    template: Template;
    authorizer: GatehouseAuthorizer;
  }
  /** A consumer stack on the parameters: through the reader role, or on its own grants. */
  const consumer = (readerRole: boolean): Consumer => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Consumer', {
      env: { account, region },
    });
    const authorizer = GatehouseAuthorizer.fromParameters(stack, 'Gatehouse', {
      prefix,
      gatehouseAccount: account,
      readerRole,
    });
    authorizer.addHttpRoutes(new HttpApi(stack, 'Http'), {
      path: '/things',
      methods: [HttpMethod.GET],
      integration: new HttpUrlIntegration('Url', 'https://backend.example.com'),
      scopes: ['profile'],
    });
    return { stack, authorizer, template: Template.fromStack(stack) };
  };
  let viaRole: Consumer;
  let direct: Consumer;
  let stack: Stack;
  let template: Template;
  let authorizer: GatehouseAuthorizer;

  beforeAll(() => {
    viaRole = consumer(true);
    direct = consumer(false);
    ({ stack, template, authorizer } = viaRole);
  });

  /** The function's role statements and environment, as a deploy with these SSM values sees them. */
  const deployWith = (
    values: Record<string, string>,
    { stack, template, authorizer } = viaRole,
  ) => {
    const refs: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    for (const [id, parameter] of Object.entries(template.toJSON().Parameters ?? {})) {
      const name = (parameter as { Default?: string }).Default ?? '';
      if (name.startsWith(prefix)) refs[id] = values[name.slice(prefix.length)] ?? '';
    }
    const fn = stack.getLogicalId(authorizer.function.node.defaultChild as CfnElement);
    const role = lambdaProperties(template, fn).Role['Fn::GetAtt'][0];
    return {
      statements: resolve(roleStatements(template, role), refs) as {
        Effect: string;
        Action: string | string[];
        Resource: unknown;
      }[],
      environment: resolve(lambdaProperties(template, fn).Environment.Variables, refs) as Record<
        string,
        string
      >,
    };
  };

  it("deploys Gatehouse's own published values unchanged", () => {
    const { statements, environment } = deployWith(published);
    const assume = statements.find((s) => s.Effect === 'Allow' && s.Action === 'sts:AssumeRole');
    expect(assume?.Resource).toBe(published['reader-role-arn']);
    expect(environment).toMatchObject({
      ISSUER_URL: published['issuer-url'],
      GATEHOUSE_READER_ROLE_ARN: published['reader-role-arn'],
      MFA_REQUIRED_ROLES: published['mfa-required-roles'],
      GATEHOUSE_TABLES_REGION: region,
    });
  });

  it("deploys the same values unchanged on the function's own grants", () => {
    const { statements } = deployWith(published, direct);
    const allowed = JSON.stringify(statements.filter((s) => s.Effect === 'Allow'));
    expect(allowed).toContain(published['tokens-table-arn']);
    expect(allowed).toContain(published['tables-key-arn']);
  });

  it.each([
    [
      'a users table in another account',
      'users-table-arn',
      (v: string) => v.replace(account, '999999999999'),
    ],
    [
      'a tokens table in another account',
      'tokens-table-arn',
      (v: string) => v.replace(account, '999999999999'),
    ],
    [
      'a tokens table in another region',
      'tokens-table-arn',
      (v: string) => v.replace(region, 'us-east-1'),
    ],
    [
      'a key in another account',
      'tables-key-arn',
      (v: string) => v.replace(account, '999999999999'),
    ],
    [
      'a reader role in another account',
      'reader-role-arn',
      (v: string) => v.replace(account, '999999999999'),
    ],
    ['an issuer over plain http', 'issuer-url', () => 'http://auth.example.com'],
    ['an issuer that is no URL', 'issuer-url', () => 'auth.example.com'],
  ])('refuses the deploy when SSM names %s', (_what, name, tamper) => {
    const tampered = { ...published, [name]: tamper(published[name] as string) };
    // The reader role is only read through it, the key only without it: each shape its own.
    const shapes =
      name === 'reader-role-arn'
        ? [viaRole]
        : name === 'tables-key-arn'
          ? [direct]
          : [viaRole, direct];
    for (const shape of shapes) {
      expect(() => deployWith(tampered, shape)).toThrow(
        /Fn::Select cannot select nonexistent value/,
      );
    }
  });

  it('limits DynamoDB, KMS and sts:AssumeRole to gatehouseAccount', () => {
    const deny = roleStatements(
      template,
      lambdaProperties(
        template,
        stack.getLogicalId(authorizer.function.node.defaultChild as CfnElement),
      ).Role['Fn::GetAtt'][0],
    ).filter((s) => s.Effect === 'Deny');
    expect(deny).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:*', 'kms:*', 'sts:AssumeRole'],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:ResourceAccount': account } },
      }),
    ]);
  });

  it('refuses to synthesize without the Gatehouse account or a region to check against', () => {
    const agnostic = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Agnostic');
    expect(() =>
      GatehouseAuthorizer.fromParameters(agnostic, 'Gatehouse', {
        prefix,
        gatehouseAccount: account,
      }),
    ).toThrow(/gatehouseRegion/);
    expect(() =>
      GatehouseAuthorizer.fromParameters(stack, 'Other', { prefix, gatehouseAccount: '*' }),
    ).toThrow(/gatehouseAccount/);
  });
});

describe('the same-app shape (tables from the Gatehouse stack) is limited to their account', () => {
  it("puts the tables' stack account in the resource-account condition", async () => {
    const { GatehouseStack } = await import('../../lib/gatehouse-stack');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const gatehouse = new GatehouseStack(app, 'Gatehouse', { env: { account, region } });
    const team = new Stack(app, 'SameApp', { env: { account, region } });
    const { users, tokens } = gatehouse.tables.byName;
    const same = new GatehouseAuthorizer(team, 'Gatehouse', {
      issuerUrl: 'https://auth.example.com',
      usersTable: users,
      tokensTable: tokens,
    });
    same.addHttpRoutes(new HttpApi(team, 'Http'), {
      path: '/things',
      methods: [HttpMethod.GET],
      integration: new HttpUrlIntegration('Url', 'https://backend.example.com'),
      scopes: ['profile'],
    });
    const template = Template.fromStack(team);
    const role = lambdaProperties(
      template,
      team.getLogicalId(same.function.node.defaultChild as CfnElement),
    ).Role['Fn::GetAtt'][0];
    expect(roleStatements(template, role).filter((s) => s.Effect === 'Deny')).toEqual([
      expect.objectContaining({
        Condition: { StringNotEquals: { 'aws:ResourceAccount': account } },
      }),
    ]);
  });
});
