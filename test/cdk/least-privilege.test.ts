/**
 * Finding 6: the authorizer (Gatehouse's own, and every GatehouseAuthorizer another stack
 * builds) and discovery hold exactly the item-level access they use, and only the functions
 * that hold the private signing keys can write the published keys.
 *
 * Invariants, each a test below that fails if a grant widens:
 * - the authorizer: GetItem of five kinds of item, each by partition prefix and projected
 *   attributes, and UpdateItem of `lastUsedAt`/`lastUsedFrom` on API tokens (Gatehouse's own also
 *   of `token_uses` on the activity counters, `ACTIVITY#*`); no Put, Delete, BatchWrite, Query,
 *   Scan, no `dynamodb:*`, no write that could reach `JWKS`;
 * - discovery: GetItem of `JWKS/PUBLIC`'s `generation` and `jwks`, nothing else;
 * - whoever may write `JWKS` may already sign tokens.
 * The expected grants are spelled out here, not read from src/store/item-access.ts, so a change
 * there fails until it is reviewed here too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionName, functionSpecs } from '../../src/http/functions';
import { isAllowed } from '../support/dynamo-iam';
import { allowedToAuthorizer, refusedToAuthorizer } from './authorizer-requests';
import {
  type DescribedRole,
  isAccountFence,
  type NarrowRoles,
  statementsOn,
  synthNarrowRoles,
  type TableRef,
} from './narrow-roles';

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
  'lastUsedFrom',
  'revokedAt',
  'mfaAtCreation',
];

interface ItemStatement {
  table: TableRef;
  action: 'dynamodb:GetItem' | 'dynamodb:UpdateItem' | 'dynamodb:Query';
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
    action: 'dynamodb:Query',
    partitions: ['REVOKED#*'],
    attributes: ['pk', 'sk'],
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
    attributes: ['pk', 'sk', 'lastUsedAt', 'lastUsedFrom'],
  },
  {
    table: 'users',
    action: 'dynamodb:GetItem',
    partitions: ['USER#*'],
    attributes: ['pk', 'sk', 'role', 'status', 'type'],
  },
];
/** Gatehouse's own authorizer also ADDs token uses to the activity counters (audit table). */
const countingAuthorizerGrants: ItemStatement[] = [
  ...authorizerGrants,
  {
    table: 'audit',
    action: 'dynamodb:UpdateItem',
    partitions: ['ACTIVITY#*'],
    attributes: ['pk', 'sk', 'token_uses', 'ttl'],
  },
];
const discoveryGrants: ItemStatement[] = [authorizerGrants[0] as ItemStatement];

/** The IAM condition every item statement must carry, exactly. */
const conditionOf = (grant: ItemStatement) => ({
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': grant.partitions },
  'ForAllValues:StringEquals': { 'dynamodb:Attributes': grant.attributes },
  StringEqualsIfExists:
    grant.action === 'dynamodb:UpdateItem'
      ? { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_NEW'] }
      : { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
  Null: { 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' },
});

/**
 * Every way a DynamoDB request could change or sweep a table (a Query only as an exact grant
 * says: the authorizer's of the revocation feed's partitions).
 */
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

const expectNarrowRole = (role: DescribedRole, grants: ItemStatement[]) => {
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
      const grantedQuery =
        action === 'dynamodb:Query' &&
        grants.some((grant) => grant.action === action && grant.partitions.join() === 'REVOKED#*');
      if (!grantedQuery) expect(forbiddenForNarrowRoles).not.toContain(action);
    }
  }
  const services = new Set(role.statements.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
  expect([...services].sort()).toEqual(['dynamodb', 'kms', 'logs']);
};

let roles: NarrowRoles;
beforeAll(() => {
  roles = synthNarrowRoles();
});
const gatehouseRole = (name: FunctionName) => roles.gatehouseRole(name);

describe.each([
  ['Gatehouse', () => gatehouseRole('authorizer'), countingAuthorizerGrants],
  [
    'another stack (GatehouseAuthorizer, imported tables)',
    () => roles.teamAuthorizerRole(),
    authorizerGrants,
  ],
])("the authorizer's role in %s", (_where, role, grants) => {
  it("gets five kinds of item by key and projection, queries the revocation feed, and updates only lastUsedAt/lastUsedFrom (and, Gatehouse's own, token uses)", () => {
    expectNarrowRole(role(), grants);
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

it("the example API's authorizer holds the same item grants (by import), but counts no token uses", () => {
  const all = roles.exampleAuthorizerStatements();
  // Beside the same grants, the fence to the tables' account (the Gatehouse stack's).
  expect(all.filter(isAccountFence)).toHaveLength(1);
  const statements = all.filter((s) => !isAccountFence(s));
  const shape = (s: { Effect: string; Action: unknown; Condition?: unknown }) =>
    JSON.stringify({ Effect: s.Effect, Action: s.Action, Condition: s.Condition });
  const dynamo = (list: { Effect: string; Action: unknown; Condition?: unknown }[]) =>
    list
      .filter((s) => JSON.stringify(s.Action).includes('dynamodb:'))
      .map(shape)
      .sort();
  // Its stack names no audit table: Gatehouse's grants but the activity counters' ADD.
  const gatehouseReads = gatehouseRole('authorizer').statements.filter(
    (s) => !JSON.stringify(s.Condition ?? {}).includes('ACTIVITY#'),
  );
  expect(gatehouseReads).toHaveLength(gatehouseRole('authorizer').statements.length - 1);
  expect(dynamo(statements)).toEqual(dynamo(gatehouseReads));
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
