/**
 * Finding 6: the authorizer (Gatehouse's own, and every GatehouseAuthorizer another stack
 * builds) and discovery hold exactly the item-level access they use, and only the functions
 * that hold the private signing keys can write the published keys.
 *
 * Invariants, each a test below that fails if a grant widens:
 * - the authorizer: GetItem of five kinds of item, each by partition prefix and projected
 *   attributes, and UpdateItem of `lastUsedAt` on API tokens; no Put, Delete, BatchWrite, Query,
 *   Scan, no `dynamodb:*`, no write that could reach `JWKS`;
 * - discovery: GetItem of `JWKS/PUBLIC`'s `generation` and `jwks`, nothing else;
 * - whoever may write `JWKS` may already sign tokens.
 * The expected grants are spelled out here, not read from src/store/item-access.ts, so a change
 * there fails until it is reviewed here too.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExampleApiStack } from '../../lib/example-api-stack';
import { GatehouseAuthorizer } from '../../lib/gatehouse-authorizer';
import { GatehouseStack } from '../../lib/gatehouse-stack';
import { type FunctionName, functionSpecs } from '../../src/http/functions';
import { type DynamoRequest, type IamStatement, isAllowed } from '../support/dynamo-iam';
import { lambdaProperties, referencedIds, roleStatements } from './synth';

const apiTokenAttributes = [
  'tokenId',
  'hash',
  'name',
  'scopes',
  'userId',
  'createdBy',
  'createdAt',
  'expiresAt',
  'lifetimeSeconds',
  'renewable',
  'lastUsedAt',
  'revokedAt',
];

type TableRef = 'users' | 'tokens';
interface ItemStatement {
  table: TableRef;
  action: 'dynamodb:GetItem' | 'dynamodb:UpdateItem';
  partitions: string[];
  attributes: string[];
}

const authorizerGrants: ItemStatement[] = [
  {
    table: 'tokens',
    action: 'dynamodb:GetItem',
    partitions: ['JWKS'],
    attributes: ['pk', 'sk', 'generation', 'jwks'],
  },
  {
    table: 'tokens',
    action: 'dynamodb:GetItem',
    partitions: ['SESSION#*'],
    attributes: ['pk', 'sk', 'revokedAt', 'expiresAt'],
  },
  {
    table: 'tokens',
    action: 'dynamodb:GetItem',
    partitions: ['APITOKEN#*'],
    attributes: ['pk', 'sk', ...apiTokenAttributes],
  },
  {
    table: 'tokens',
    action: 'dynamodb:GetItem',
    partitions: ['CLIENT#*'],
    attributes: ['pk', 'sk'],
  },
  {
    table: 'tokens',
    action: 'dynamodb:UpdateItem',
    partitions: ['APITOKEN#*'],
    attributes: ['pk', 'sk', 'lastUsedAt'],
  },
  {
    table: 'users',
    action: 'dynamodb:GetItem',
    partitions: ['USER#*'],
    attributes: ['pk', 'sk', 'role', 'status', 'type'],
  },
];
const discoveryGrants: ItemStatement[] = [authorizerGrants[0] as ItemStatement];

/** The IAM condition every item statement must carry, exactly. */
const conditionOf = (grant: ItemStatement) => ({
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': grant.partitions },
  'ForAllValues:StringEquals': { 'dynamodb:Attributes': grant.attributes },
  StringEqualsIfExists:
    grant.action === 'dynamodb:GetItem'
      ? { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' }
      : { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_NEW'] },
  Null: { 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' },
});

/** Every way a DynamoDB request could change or sweep a table. */
const forbiddenForNarrowRoles = [
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Scan',
  'dynamodb:Query',
  'dynamodb:TransactWriteItems',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'dynamodb:PartiQLSelect',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteTable',
  'dynamodb:UpdateTable',
];

type Statement = ReturnType<typeof roleStatements>[number];

/** A role's statements, its DynamoDB ones with the table each names. */
const describeRole = (
  statements: Statement[],
  tableOf: (resource: unknown) => TableRef | undefined,
) => ({
  statements,
  dynamo: statements
    .filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')))
    .map((s) => ({
      table: tableOf(s.Resource),
      Effect: s.Effect,
      Action: s.Action,
      Condition: s.Condition as IamStatement['Condition'],
    })),
});

const expectNarrowRole = (role: ReturnType<typeof describeRole>, grants: ItemStatement[]) => {
  expect(role.dynamo).toEqual(
    expect.arrayContaining(
      grants.map((grant) => ({
        table: grant.table,
        Effect: 'Allow',
        Action: grant.action,
        Condition: conditionOf(grant),
      })),
    ),
  );
  expect(role.dynamo).toHaveLength(grants.length);
  for (const statement of role.statements) {
    expect(statement.Effect).toBe('Allow');
    expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
    for (const action of statement.actions) {
      expect(action).not.toContain('*:');
      expect(action).not.toMatch(/^(dynamodb:\*|\*)$/);
      expect(forbiddenForNarrowRoles).not.toContain(action);
    }
  }
  const services = new Set(role.statements.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
  expect([...services].sort()).toEqual(['dynamodb', 'kms', 'logs']);
};

/** Requests the authorizer's role must refuse, whatever else changes. */
const refusedToAuthorizer: [string, TableRef, DynamoRequest][] = [
  [
    'rewrite the published keys',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: { LeadingKeys: ['JWKS'], Attributes: ['pk', 'sk', 'jwks'], ReturnValues: ['NONE'] },
    },
  ],
  [
    'put a published key set',
    'tokens',
    { action: 'dynamodb:PutItem', context: { LeadingKeys: ['JWKS'], Attributes: ['jwks'] } },
  ],
  [
    'revoke or unrevoke an API token',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: { LeadingKeys: ['APITOKEN#t'], Attributes: ['pk', 'sk', 'revokedAt'] },
    },
  ],
  [
    'read back a whole API token item on update',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: {
        LeadingKeys: ['APITOKEN#t'],
        Attributes: ['pk', 'sk', 'lastUsedAt'],
        ReturnValues: ['ALL_NEW'],
      },
    },
  ],
  [
    'touch lastUsedAt of a session',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: { LeadingKeys: ['SESSION#s'], Attributes: ['pk', 'sk', 'lastUsedAt'] },
    },
  ],
  [
    'read a refresh token',
    'tokens',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['REFRESH#h'], Attributes: ['pk', 'sk', 'sid'] },
    },
  ],
  [
    'read a whole session (no projection)',
    'tokens',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['SESSION#s'], Select: ['ALL_ATTRIBUTES'] },
    },
  ],
  [
    "read a client's secret hash",
    'tokens',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['CLIENT#c'], Attributes: ['pk', 'sk', 'secretHash'] },
    },
  ],
  [
    "read a user's password hash",
    'users',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['USER#u'], Attributes: ['pk', 'sk', 'passwordHash'] },
    },
  ],
  [
    'read an email guard',
    'users',
    {
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['EMAIL#e'], Attributes: ['pk', 'sk', 'role'] },
    },
  ],
  ['scan the tokens', 'tokens', { action: 'dynamodb:Scan', context: {} }],
  [
    'query the sessions of a user',
    'tokens',
    { action: 'dynamodb:Query', context: { LeadingKeys: ['USER#u'], Attributes: ['pk'] } },
  ],
];

const allowedToAuthorizer: [string, TableRef, DynamoRequest][] = [
  [
    'stamp lastUsedAt',
    'tokens',
    {
      action: 'dynamodb:UpdateItem',
      context: {
        LeadingKeys: ['APITOKEN#t'],
        Attributes: ['pk', 'lastUsedAt'],
        ReturnValues: ['NONE'],
      },
    },
  ],
  [
    'read the published keys',
    'tokens',
    {
      action: 'dynamodb:GetItem',
      context: {
        LeadingKeys: ['JWKS'],
        Attributes: ['pk', 'sk', 'generation', 'jwks'],
        Select: ['SPECIFIC_ATTRIBUTES'],
      },
    },
  ],
];

// One app, no bundling (only the roles matter): Gatehouse, its example API, another team's stack.
let gatehouse: GatehouseStack;
let gatehouseTemplate: Template;
let exampleTemplate: Template;
let example: ExampleApiStack;
let team: Stack;
let teamAuthorizer: GatehouseAuthorizer;
const arns = {
  users: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Gatehouse-TablesUsers-1',
  tokens: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Gatehouse-TablesTokens-1',
  key: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  gatehouse = new GatehouseStack(app, 'Gatehouse');
  example = new ExampleApiStack(app, 'GatehouseExampleApi', { gatehouse });
  team = new Stack(app, 'Team', { env: { account: '111122223333', region: 'eu-west-1' } });
  const encryptionKey = Key.fromKeyArn(team, 'GatehouseKey', arns.key);
  teamAuthorizer = new GatehouseAuthorizer(team, 'Gatehouse', {
    issuerUrl: 'https://gatehouse.example.com',
    usersTable: Table.fromTableAttributes(team, 'Users', { tableArn: arns.users, encryptionKey }),
    tokensTable: Table.fromTableAttributes(team, 'Tokens', {
      tableArn: arns.tokens,
      encryptionKey,
    }),
  });
  teamAuthorizer.addHttpRoutes(new HttpApi(team, 'Http'), {
    path: '/things',
    methods: [HttpMethod.GET],
    integration: new HttpUrlIntegration('Url', 'https://backend.example.com'),
    scopes: ['profile'],
  });
  const assembly = app.synth();
  gatehouseTemplate = Template.fromJSON(assembly.getStackArtifact(gatehouse.artifactId).template);
  exampleTemplate = Template.fromJSON(assembly.getStackArtifact(example.artifactId).template);
});

const roleOf = (stack: Stack, template: Template, fn: IConstruct) =>
  lambdaProperties(template, stack.getLogicalId(fn.node.defaultChild as CfnElement)).Role[
    'Fn::GetAtt'
  ][0];
const logicalId = (construct: IConstruct) =>
  gatehouse.getLogicalId(construct.node.defaultChild as CfnElement);

/** Which Gatehouse table a statement's resource names (by logical id). */
const gatehouseTableOf = (resource: unknown): TableRef | undefined => {
  const ids = referencedIds(resource);
  for (const name of ['users', 'tokens'] as const) {
    if (ids.has(logicalId(gatehouse.tables.byName[name]))) return name;
  }
  return undefined;
};
const gatehouseRole = (name: FunctionName) =>
  describeRole(
    roleStatements(
      gatehouseTemplate,
      roleOf(gatehouse, gatehouseTemplate, gatehouse.functions.byName[name]),
    ),
    gatehouseTableOf,
  );
const statementsOn = (role: ReturnType<typeof describeRole>, table: TableRef): IamStatement[] =>
  role.dynamo.filter((s) => s.table === table);

describe.each([
  ['Gatehouse', () => gatehouseRole('authorizer')],
  [
    'another stack (GatehouseAuthorizer, imported tables)',
    () =>
      describeRole(
        roleStatements(
          Template.fromStack(team),
          roleOf(team, Template.fromStack(team), teamAuthorizer.function),
        ),
        (resource) => {
          const named = ([] as unknown[]).concat(resource);
          return named.includes(arns.users)
            ? 'users'
            : named.includes(arns.tokens)
              ? 'tokens'
              : undefined;
        },
      ),
  ],
])("the authorizer's role in %s", (_where, role) => {
  it('gets five kinds of item by key and projection, and updates only lastUsedAt', () => {
    expectNarrowRole(role(), authorizerGrants);
  });

  it.each(refusedToAuthorizer)('cannot %s', (_what, table, request) => {
    expect(isAllowed(statementsOn(role(), table), request)).toBe(false);
  });

  it.each(allowedToAuthorizer)('can %s', (_what, table, request) => {
    expect(isAllowed(statementsOn(role(), table), request)).toBe(true);
  });

  it('uses the table key to decrypt, and for its one update as DynamoDB writes ask', () => {
    const kms = role()
      .statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')))
      .flatMap((s) => s.actions);
    expect([...new Set(kms)].sort()).toEqual(
      ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].sort(),
    );
  });
});

it("the example API's authorizer holds the same item grants (by import)", () => {
  const statements = roleStatements(
    exampleTemplate,
    roleOf(example, exampleTemplate, example.authorizer.function),
  );
  const shape = (s: { Effect: string; Action: unknown; Condition?: unknown }) =>
    JSON.stringify({ Effect: s.Effect, Action: s.Action, Condition: s.Condition });
  const dynamo = (list: { Effect: string; Action: unknown; Condition?: unknown }[]) =>
    list
      .filter((s) => JSON.stringify(s.Action).includes('dynamodb:'))
      .map(shape)
      .sort();
  expect(dynamo(statements)).toEqual(dynamo(gatehouseRole('authorizer').statements));
});

describe("discovery's role", () => {
  it('reads the published keys item, its generation and jwks, and nothing else', () => {
    expectNarrowRole(gatehouseRole('discovery'), discoveryGrants);
  });

  it('only decrypts with the table key', () => {
    const kms = gatehouseRole('discovery')
      .statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')))
      .flatMap((s) => s.actions);
    expect(kms).toEqual(['kms:Decrypt']);
  });

  it.each([
    ['a session', { LeadingKeys: ['SESSION#s'], Attributes: ['pk', 'sk', 'revokedAt'] }],
    ['an API token', { LeadingKeys: ['APITOKEN#t'], Attributes: ['pk', 'sk', 'hash'] }],
  ])('cannot read %s', (_what, context) => {
    const tokens = statementsOn(gatehouseRole('discovery'), 'tokens');
    expect(isAllowed(tokens, { action: 'dynamodb:GetItem', context })).toBe(false);
  });
});

describe('the published keys (JWKS)', () => {
  const names = Object.keys(functionSpecs) as FunctionName[];
  const writesJwks = (name: FunctionName) =>
    [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ].some((action) =>
      isAllowed(statementsOn(gatehouseRole(name), 'tokens'), {
        action,
        context: { LeadingKeys: ['JWKS'], Attributes: ['pk', 'sk', 'generation', 'jwks'] },
      }),
    );

  it('can be written only by the functions that hold the private signing keys', () => {
    const writers = names.filter(writesJwks);
    expect(writers.sort()).toEqual(['oauth', 'pages', 'signIn', 'sso', 'token']);
    for (const name of writers) expect(functionSpecs[name]).toHaveProperty('signsTokens', true);
  });

  it.each(names.filter((name) => !('signsTokens' in functionSpecs[name])))(
    '%s cannot write them, even in a batch with other items',
    (name) => {
      const tokens = statementsOn(gatehouseRole(name), 'tokens');
      expect(
        isAllowed(tokens, {
          action: 'dynamodb:BatchWriteItem',
          context: { LeadingKeys: ['RATE#x', 'JWKS'] },
        }),
      ).toBe(false);
    },
  );
});

describe('any request, at random (fast-check)', () => {
  const partitionArb = fc.constantFrom(
    'JWKS',
    'SESSION#s',
    'APITOKEN#t',
    'CLIENT#c',
    'USER#u',
    'USERNAME#u',
    'EMAIL#e',
    'REFRESH#r',
    'LOGINFAIL#l',
    'OTT#o',
    'CODE#c',
    'RATE#r',
    'ONCE#o',
    'SEARCH',
    'META',
  );
  const attributeArb = fc.constantFrom(
    'pk',
    'sk',
    'generation',
    'jwks',
    'revokedAt',
    'expiresAt',
    'hash',
    'lastUsedAt',
    'scopes',
    'role',
    'status',
    'type',
    'passwordHash',
    'secretHash',
    'userId',
    'sid',
    'usedAt',
    'email',
  );
  const requestArb = fc.record(
    {
      action: fc.constantFrom(
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:ConditionCheckItem',
      ),
      // A condition key IAM sees has one value at least; no values means the key is absent.
      LeadingKeys: fc.uniqueArray(partitionArb, { minLength: 1, maxLength: 3 }),
      Attributes: fc.uniqueArray(attributeArb, { minLength: 1, maxLength: 5 }),
      Select: fc.constantFrom('ALL_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'),
      ReturnValues: fc.constantFrom('NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'),
    },
    { requiredKeys: ['action'] },
  );
  type Drawn = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;
  const toRequest = ({ action, ...context }: Drawn): DynamoRequest => ({
    action,
    context: Object.fromEntries(
      Object.entries(context).map(([key, value]) => [key, ([] as string[]).concat(value ?? [])]),
    ),
  });
  const secrets = ['passwordHash', 'secretHash', 'sid', 'usedAt', 'email'];

  it.each(['users', 'tokens'] as const)(
    "the authorizer's role allows on %s only key-and-projection reads and the lastUsedAt stamp",
    (table) => {
      const statements = statementsOn(gatehouseRole('authorizer'), table);
      fc.assert(
        fc.property(requestArb, (drawn) => {
          const request = toRequest(drawn);
          if (!isAllowed(statements, request)) return;
          const { LeadingKeys = [], Attributes = [], ReturnValues, Select } = request.context;
          expect(['dynamodb:GetItem', 'dynamodb:UpdateItem']).toContain(request.action);
          // Never a request that names no item or no attribute (ForAllValues would pass it).
          expect(LeadingKeys.length).toBeGreaterThan(0);
          expect(Attributes.length).toBeGreaterThan(0);
          for (const secret of secrets) expect(Attributes).not.toContain(secret);
          if (request.action === 'dynamodb:GetItem') {
            expect([undefined, 'SPECIFIC_ATTRIBUTES']).toContain(Select?.[0]);
          } else {
            for (const key of LeadingKeys) expect(key).toMatch(/^APITOKEN#/);
            for (const name of Attributes) expect(['pk', 'sk', 'lastUsedAt']).toContain(name);
            expect([undefined, 'NONE', 'UPDATED_NEW']).toContain(ReturnValues?.[0]);
          }
        }),
        { numRuns: 2000 },
      );
    },
  );

  it('no function but a token-signing one can write a request that names JWKS', () => {
    const names = Object.keys(functionSpecs) as FunctionName[];
    const roles = new Map(names.map((name) => [name, statementsOn(gatehouseRole(name), 'tokens')]));
    fc.assert(
      fc.property(fc.constantFrom(...names), requestArb, (name, drawn) => {
        const request = toRequest(drawn);
        const writes = [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
        ].includes(request.action);
        if (!writes || !request.context.LeadingKeys?.includes('JWKS')) return;
        if (isAllowed(roles.get(name) ?? [], request)) {
          expect(functionSpecs[name]).toHaveProperty('signsTokens', true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
