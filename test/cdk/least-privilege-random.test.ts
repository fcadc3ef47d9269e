/**
 * Finding 6, at random: requests drawn from every action, item kind, attribute, Select and
 * ReturnValues, evaluated against the synthesized roles (test/support/dynamo-iam.ts). Whatever
 * is drawn, the authorizer is allowed only a projected GetItem or the lastUsedAt stamp, never a
 * secret attribute; and no function but a token-signing one may write the published keys.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionName, functionSpecs } from '../../src/http/functions';
import { type DynamoRequest, isAllowed } from '../support/dynamo-iam';
import { type NarrowRoles, statementsOn, synthNarrowRoles } from './narrow-roles';

let roles: NarrowRoles;
beforeAll(() => {
  roles = synthNarrowRoles();
});
const gatehouseRole = (name: FunctionName) => roles.gatehouseRole(name);

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
