/**
 * The authorizer across apps and accounts (issue 16, "Least privilege across stacks").
 *
 * Invariants, each tested below:
 * - Gatehouse's AuthorizerReader role holds exactly the authorizer's item grants (the same
 *   statements as Gatehouse's own authorizer function) and the key actions they need: a replay
 *   through the IAM evaluator allows the authorizer's reads and the lastUsedAt stamp and refuses
 *   a Query, a Scan, a PutItem, the password hash, an MFA item, an UpdateItem of `role`;
 * - only the accounts, roles and external id the operator names may assume it (never `*`);
 * - the GatehouseAuthorizer in another app and account (222222222222) on the exported ARNs and
 *   the role holds no DynamoDB or KMS grant of its own: it may only assume that one role.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GatehouseAuthorizer, type GatehouseAuthorizerProps } from '../../lib/gatehouse-authorizer';
import { GatehouseStack, type GatehouseStackProps } from '../../lib/gatehouse-stack';
import { tables } from '../../src/store/schema';
import { type DynamoRequest, isAllowed } from '../support/dynamo-iam';
import { allowedToAuthorizer, refusedToAuthorizer } from './authorizer-requests';
import { describeRole, statementsOn, type TableRef } from './narrow-roles';
import { lambdaProperties, referencedIds, resources, roleStatements } from './synth';

const region = 'eu-west-1';
const gatehouseAccount = '111111111111';
const teamAccount = '222222222222';
const teamRoles = `arn:aws:iam::${teamAccount}:role/TeamApi-*`;
const externalId = 'team-api-7f3c';
const noBundling = { 'aws:cdk:bundling-stacks': [] };

/** What the Gatehouse operator hands the other team (outputs), as literal values. */
const handed = {
  usersTableArn: `arn:aws:dynamodb:${region}:${gatehouseAccount}:table/Gatehouse-TablesUsers-1`,
  tokensTableArn: `arn:aws:dynamodb:${region}:${gatehouseAccount}:table/Gatehouse-TablesTokens-1`,
  readerRoleArn: `arn:aws:iam::${gatehouseAccount}:role/Gatehouse-AuthorizerReaderRole-1`,
  issuerUrl: 'https://auth.example.com',
};

const gatehouseStack = (props: GatehouseStackProps) =>
  new GatehouseStack(new App({ context: noBundling }), 'Gatehouse', {
    env: { account: gatehouseAccount, region },
    ...props,
  });

const roleIdOf = (stack: Stack, template: Template, fn: IConstruct) =>
  lambdaProperties(template, stack.getLogicalId(fn.node.defaultChild as CfnElement)).Role[
    'Fn::GetAtt'
  ][0];

/** More requests the reader role must refuse, beside the authorizer's own list. */
const refusedToReader: [string, TableRef, DynamoRequest][] = [
  [
    'put an API token',
    'tokens',
    { action: 'dynamodb:PutItem', context: { LeadingKeys: ['APITOKEN#t'], Attributes: ['pk'] } },
  ],
  [
    'read an MFA item',
    'users',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['MFA#u'], Attributes: ['pk', 'sk', 'role'] },
    },
  ],
  [
    "update a user's role",
    'users',
    {
      action: 'dynamodb:UpdateItem',
      context: {
        LeadingKeys: ['USER#u'],
        Attributes: ['pk', 'sk', 'role'],
        ReturnValues: ['NONE'],
      },
    },
  ],
  ['scan the users', 'users', { action: 'dynamodb:Scan', context: {} }],
  [
    'query the users',
    'users',
    { action: 'dynamodb:Query', context: { LeadingKeys: ['USER#u'], Attributes: ['pk'] } },
  ],
  [
    'delete a session',
    'tokens',
    { action: 'dynamodb:DeleteItem', context: { LeadingKeys: ['SESSION#s'] } },
  ],
];
const allowedToReader: [string, TableRef, DynamoRequest][] = [
  ...allowedToAuthorizer,
  [
    "read a token owner's standing",
    'users',
    {
      action: 'dynamodb:GetItem',
      context: {
        LeadingKeys: ['USER#u'],
        Attributes: ['pk', 'sk', 'role', 'status', 'type'],
        Select: ['SPECIFIC_ATTRIBUTES'],
      },
    },
  ],
];

describe("Gatehouse's AuthorizerReader role (account 111111111111)", () => {
  let stack: GatehouseStack;
  let template: Template;
  let readerId: string;
  const reader = () => {
    const byTable = (resource: unknown): TableRef | undefined => {
      const ids = referencedIds(resource);
      for (const name of ['users', 'tokens', 'audit'] as const) {
        const table = stack.tables.byName[name].node.defaultChild as CfnElement;
        if (ids.has(stack.getLogicalId(table))) return name;
      }
      return undefined;
    };
    return {
      role: describeRole(roleStatements(template, readerId), byTable),
      authorizer: describeRole(
        roleStatements(template, roleIdOf(stack, template, stack.functions.byName.authorizer)),
        byTable,
      ),
    };
  };

  beforeAll(() => {
    stack = gatehouseStack({
      authorizerAccounts: [teamAccount],
      authorizerPrincipalArns: [teamRoles],
      authorizerExternalId: externalId,
    });
    template = Template.fromStack(stack);
    const role = stack.authorizerReader?.role.node.defaultChild as CfnElement;
    readerId = stack.getLogicalId(role);
  });

  it('trusts only the named account, narrowed to its roles and the external id', () => {
    const trust = resources(template)[readerId]?.Properties?.AssumeRolePolicyDocument;
    expect(trust).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: {
            AWS: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${teamAccount}:root`]],
            },
          },
          Condition: {
            ArnLike: { 'aws:PrincipalArn': [teamRoles] },
            StringEquals: { 'sts:ExternalId': externalId },
          },
        },
      ],
    });
  });

  it("holds exactly the authorizer function's item grants, from the same spec, but its token-use count", () => {
    const { role, authorizer } = reader();
    const shape = (list: typeof role.dynamo) => list.map((s) => JSON.stringify({ ...s })).sort();
    expect(role.dynamo.length).toBeGreaterThan(0);
    // Gatehouse's own authorizer also ADDs token uses to the audit table's counters; another
    // stack's reads and stamps only (it names no audit table).
    const counting = authorizer.dynamo.filter((s) => s.table === 'audit');
    expect(counting).toHaveLength(1);
    expect(role.dynamo.filter((s) => s.table === 'audit')).toEqual([]);
    expect(shape(role.dynamo)).toEqual(shape(authorizer.dynamo.filter((s) => s.table !== 'audit')));
  });

  it('holds nothing else: the key actions its reads and its one update need, on the tables key', () => {
    const { role } = reader();
    const other = role.statements.filter((s) => !s.actions.some((a) => a.startsWith('dynamodb:')));
    expect([...new Set(other.flatMap((s) => s.actions))].sort()).toEqual(
      ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].sort(),
    );
    const key = stack.getLogicalId(stack.tables.key.node.defaultChild as CfnElement);
    for (const statement of other) expect([...statement.resourceIds]).toEqual([key]);
  });

  it.each([...refusedToAuthorizer, ...refusedToReader])('cannot %s', (_what, table, request) => {
    expect(isAllowed(statementsOn(reader().role, table), request)).toBe(false);
  });

  it.each(allowedToReader)('can %s', (_what, table, request) => {
    expect(isAllowed(statementsOn(reader().role, table), request)).toBe(true);
  });

  it('publishes what the other team needs under /gatehouse/Gatehouse/, the role included', () => {
    const published = Object.values(template.findResources('AWS::SSM::Parameter')).map(
      (parameter) => parameter.Properties.Name as string,
    );
    expect(published.sort()).toEqual(
      [
        'audience',
        'issuer-url',
        'mfa-required-roles',
        'reader-role-arn',
        'tables-key-arn',
        'tokens-table-arn',
        'tokens-table-name',
        'users-table-arn',
        'users-table-name',
      ].map((name) => `/gatehouse/Gatehouse/${name}`),
    );
    // MFA_REQUIRED_ROLES is published even when unset (',': no role), so no reader misses it.
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/gatehouse/Gatehouse/mfa-required-roles',
      Value: ',',
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/gatehouse/Gatehouse/reader-role-arn',
      Value: { 'Fn::GetAtt': [readerId, 'Arn'] },
    });
  });
});

describe('the trust refuses what would let a stranger in', () => {
  it.each<[string, GatehouseStackProps]>([
    ['any account', { authorizerAccounts: ['*'] }],
    ['a malformed account', { authorizerAccounts: ['2222'] }],
    [
      'a role in an account not named',
      {
        authorizerAccounts: [teamAccount],
        authorizerPrincipalArns: ['arn:aws:iam::333333333333:role/X'],
      },
    ],
    [
      'any role of the account',
      {
        authorizerAccounts: [teamAccount],
        authorizerPrincipalArns: [`arn:aws:iam::${teamAccount}:role/*`],
      },
    ],
    [
      'a principal that is no role',
      { authorizerAccounts: [teamAccount], authorizerPrincipalArns: ['*'] },
    ],
    ['roles without accounts', { authorizerPrincipalArns: [teamRoles] }],
    [
      'a wildcard before the name',
      {
        authorizerAccounts: [teamAccount],
        authorizerPrincipalArns: [`arn:aws:iam::${teamAccount}:role/*a*`],
      },
    ],
    [
      'a name prefix too short to mean one team',
      {
        authorizerAccounts: [teamAccount],
        authorizerPrincipalArns: [`arn:aws:iam::${teamAccount}:role/Te*`],
      },
    ],
    [
      'a wildcard in the path',
      {
        authorizerAccounts: [teamAccount],
        authorizerPrincipalArns: [`arn:aws:iam::${teamAccount}:role/*/TeamApi`],
      },
    ],
    [
      'a ? wildcard',
      {
        authorizerAccounts: [teamAccount],
        authorizerPrincipalArns: [`arn:aws:iam::${teamAccount}:role/TeamApi-?`],
      },
    ],
    ['a bare account', { authorizerAccounts: [teamAccount] }],
    [
      'a second account left bare',
      {
        authorizerAccounts: [teamAccount, '333333333333'],
        authorizerPrincipalArns: [teamRoles],
      },
    ],
  ])('%s', (_what, props) => {
    expect(() => gatehouseStack(props)).toThrow(
      /authorizerAccounts|authorizerPrincipalArns|name the accounts/,
    );
  });

  it.each<[string, GatehouseStackProps]>([
    [
      'an exact role',
      {
        authorizerAccounts: [teamAccount],
        authorizerPrincipalArns: [`arn:aws:iam::${teamAccount}:role/api/TeamApiAuthorizer`],
      },
    ],
    [
      'a path and a name prefix',
      {
        authorizerAccounts: [teamAccount],
        authorizerPrincipalArns: [`arn:aws:iam::${teamAccount}:role/api/TeamApi-*`],
      },
    ],
    [
      'an external id alone',
      { authorizerAccounts: [teamAccount], authorizerExternalId: externalId },
    ],
  ])('accepts %s, and the trust carries its condition', (_what, props) => {
    const trust = JSON.stringify(
      Template.fromStack(gatehouseStack(props)).findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('GatehouseAuthorizer in') },
      }),
    );
    expect(trust).toMatch(/aws:PrincipalArn|sts:ExternalId/);
  });

  it('gives MFA_REQUIRED_ROLES to its own authorizer and publishes it for authorizers elsewhere', () => {
    const stack = gatehouseStack({ settings: { MFA_REQUIRED_ROLES: 'admin,owner' } });
    const template = Template.fromStack(stack);
    const authorizer = stack.functions.byName.authorizer;
    const id = stack.getLogicalId(authorizer.node.defaultChild as CfnElement);
    expect(lambdaProperties(template, id).Environment.Variables.MFA_REQUIRED_ROLES).toBe(
      'admin,owner',
    );
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/gatehouse/Gatehouse/mfa-required-roles',
      Value: 'admin,owner',
    });
  });

  it('makes no role and publishes no role ARN when no account is named', () => {
    const stack = gatehouseStack({});
    expect(stack.authorizerReader).toBeUndefined();
    const template = Template.fromStack(stack);
    const names = Object.values(template.findResources('AWS::SSM::Parameter')).map(
      (parameter) => parameter.Properties.Name as string,
    );
    expect(names).not.toContain('/gatehouse/Gatehouse/reader-role-arn');
    expect(names).toContain('/gatehouse/Gatehouse/issuer-url');
  });
});

describe('a GatehouseAuthorizer in another app and account (222222222222)', () => {
  let stack: Stack;
  let template: Template;
  let authorizer: GatehouseAuthorizer;

  beforeAll(() => {
    const app = new App({ context: noBundling });
    stack = new Stack(app, 'TeamApi', { env: { account: teamAccount, region } });
    const props: GatehouseAuthorizerProps = {
      issuerUrl: handed.issuerUrl,
      usersTable: Table.fromTableArn(stack, 'GatehouseUsers', handed.usersTableArn),
      tokensTable: Table.fromTableArn(stack, 'GatehouseTokens', handed.tokensTableArn),
      readerRoleArn: handed.readerRoleArn,
      readerExternalId: externalId,
    };
    authorizer = new GatehouseAuthorizer(stack, 'Gatehouse', props);
    authorizer.addHttpRoutes(new HttpApi(stack, 'Http'), {
      path: '/things',
      methods: [HttpMethod.GET],
      integration: new HttpUrlIntegration('Url', 'https://backend.example.com'),
      scopes: ['profile'],
    });
    template = Template.fromStack(stack);
  });

  it('may only assume the reader role: no DynamoDB or KMS grant of its own', () => {
    const statements = roleStatements(
      template,
      roleIdOf(stack, template, authorizer.function),
    ).filter((s) => s.Effect === 'Allow');
    const services = new Set(statements.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
    expect([...services].sort()).toEqual(['logs', 'sts']);
    const sts = statements.filter((s) => s.actions.some((a) => a.startsWith('sts:')));
    expect(sts).toHaveLength(1);
    expect(sts[0]?.actions).toEqual(['sts:AssumeRole']);
    expect(sts[0]?.Resource).toBe(handed.readerRoleArn);
  });

  it("may touch DynamoDB, KMS and sts:AssumeRole only in Gatehouse's account (the ARNs')", () => {
    const statements = roleStatements(template, roleIdOf(stack, template, authorizer.function));
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:*', 'kms:*', 'sts:AssumeRole'],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:ResourceAccount': gatehouseAccount } },
      }),
    ]);
  });

  it('refuses tables and a reader role in different accounts', () => {
    const other = new Stack(new App({ context: noBundling }), 'Mixed', {
      env: { account: teamAccount, region },
    });
    expect(
      () =>
        new GatehouseAuthorizer(other, 'Gatehouse', {
          issuerUrl: handed.issuerUrl,
          usersTable: Table.fromTableArn(other, 'U', handed.usersTableArn),
          tokensTable: Table.fromTableArn(
            other,
            'T',
            handed.tokensTableArn.replace(gatehouseAccount, '333333333333'),
          ),
          readerRoleArn: handed.readerRoleArn,
        }),
    ).toThrow(/Gatehouse's account 111111111111, not 333333333333/);
  });

  it("names the role, the external id, the tables and their region in the function's environment", () => {
    const variables = lambdaProperties(
      template,
      stack.getLogicalId(authorizer.function.node.defaultChild as CfnElement),
    ).Environment.Variables;
    expect(variables).toMatchObject({
      GATEHOUSE_READER_ROLE_ARN: handed.readerRoleArn,
      GATEHOUSE_READER_EXTERNAL_ID: externalId,
      GATEHOUSE_TABLES_REGION: region,
      [tables.users.envVar]: 'Gatehouse-TablesUsers-1',
      [tables.tokens.envVar]: 'Gatehouse-TablesTokens-1',
      ISSUER_URL: handed.issuerUrl,
    });
  });
});

describe('GatehouseAuthorizer.fromParameters (another app, same account)', () => {
  let template: Template;
  let stack: Stack;
  let authorizer: GatehouseAuthorizer;

  beforeAll(() => {
    stack = new Stack(new App({ context: noBundling }), 'SameAccountApi', {
      env: { account: gatehouseAccount, region },
    });
    authorizer = GatehouseAuthorizer.fromParameters(stack, 'Gatehouse', {
      prefix: '/gatehouse/Gatehouse/',
      gatehouseAccount,
      readerRole: true,
    });
    authorizer.addHttpRoutes(new HttpApi(stack, 'Http'), {
      path: '/things',
      methods: [HttpMethod.GET],
      integration: new HttpUrlIntegration('Url', 'https://backend.example.com'),
      scopes: ['profile'],
    });
    template = Template.fromStack(stack);
  });

  it('reads the published parameters at deploy time', () => {
    const defaults = Object.values(template.toJSON().Parameters ?? {})
      .map((parameter) => (parameter as { Default?: string }).Default)
      .filter((name): name is string => name?.startsWith('/gatehouse/') ?? false);
    expect(defaults.sort()).toEqual(
      [
        'audience',
        'issuer-url',
        'mfa-required-roles',
        'reader-role-arn',
        'tables-key-arn',
        'tokens-table-arn',
        'users-table-arn',
      ].map((name) => `/gatehouse/Gatehouse/${name}`),
    );
  });

  it('assumes the published role and holds no table grant', () => {
    const statements = roleStatements(
      template,
      roleIdOf(stack, template, authorizer.function),
    ).filter((s) => s.Effect === 'Allow');
    const actions = statements.flatMap((s) => s.actions);
    expect(actions.filter((a) => !a.startsWith('logs:'))).toEqual(['sts:AssumeRole']);
  });
});
