import { describe, expect, it } from 'vitest';
import { type IamStatement, isAllowed, requestContext } from '../../support/dynamo-iam';

// The evaluator the least-privilege tests trust: it must read IAM as IAM does, not kinder.
describe('the DynamoDB IAM evaluator (test support)', () => {
  const read: IamStatement = {
    Effect: 'Allow',
    Action: 'dynamodb:GetItem',
    Condition: {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SESSION#*'] },
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'revokedAt'] },
      StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    },
  };

  it('passes a ForAllValues test on a missing key (as IAM does), which Null must close', () => {
    const get = { action: 'dynamodb:GetItem', context: {} };
    expect(isAllowed([read], get)).toBe(true);
    const closed = {
      ...read,
      Condition: { ...read.Condition, Null: { 'dynamodb:LeadingKeys': 'false' } },
    };
    expect(isAllowed([closed], get)).toBe(false);
  });

  it('matches partitions with wildcards, and attributes exactly', () => {
    const context = { LeadingKeys: ['SESSION#a'], Attributes: ['pk', 'revokedAt'] };
    expect(isAllowed([read], { action: 'dynamodb:GetItem', context })).toBe(true);
    expect(
      isAllowed([read], {
        action: 'dynamodb:GetItem',
        context: { ...context, LeadingKeys: ['SESSIONS#a'] },
      }),
    ).toBe(false);
    expect(
      isAllowed([read], {
        action: 'dynamodb:GetItem',
        context: { ...context, Attributes: ['pk', 'userId'] },
      }),
    ).toBe(false);
    expect(isAllowed([read], { action: 'dynamodb:Query', context })).toBe(false);
  });

  it('lets an explicit Deny win, and throws on an operator it does not know', () => {
    const deny: IamStatement = {
      Effect: 'Deny',
      Action: ['dynamodb:PutItem'],
      Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': ['JWKS'] } },
    };
    const all: IamStatement = { Effect: 'Allow', Action: 'dynamodb:*' };
    const put = (keys: string[]) => ({
      action: 'dynamodb:PutItem',
      context: { LeadingKeys: keys },
    });
    expect(isAllowed([all, deny], put(['RATE#x']))).toBe(true);
    expect(isAllowed([all, deny], put(['RATE#x', 'JWKS']))).toBe(false);
    const odd: IamStatement = {
      ...all,
      Condition: { DateGreaterThan: { 'aws:CurrentTime': 'x' } },
    };
    expect(() => isAllowed([odd], put(['JWKS']))).toThrow(/DateGreaterThan/);
  });

  it('reads a request as strictly as IAM: keys and every named attribute count', () => {
    expect(
      requestContext('UpdateItem', {
        Key: { pk: { S: 'APITOKEN#t' }, sk: { S: 'APITOKEN' } },
        UpdateExpression: 'SET #u = :at',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#u) OR #u < :stale)',
        ExpressionAttributeNames: { '#u': 'lastUsedAt' },
      }),
    ).toEqual({
      action: 'dynamodb:UpdateItem',
      context: {
        LeadingKeys: ['APITOKEN#t'],
        Attributes: ['pk', 'sk', 'lastUsedAt'],
        ReturnValues: ['NONE'],
      },
    });
    // No projection: a read of every attribute.
    expect(requestContext('GetItem', { Key: { pk: { S: 'JWKS' }, sk: { S: 'PUBLIC' } } })).toEqual({
      action: 'dynamodb:GetItem',
      context: { LeadingKeys: ['JWKS'], Attributes: ['pk', 'sk'], Select: ['ALL_ATTRIBUTES'] },
    });
  });
});
