import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OneTimeTokenRecord } from '../core/account/one-time-tokens';
import type { AuthorizationCodeRecord } from '../core/oauth/authorization-codes';
import type { Store } from '../core/shared/store';
import { getItem, isConditionFailure, notExists, withoutKeys } from './dynamo-shared';
import { keys } from './schema';

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Records spent once (authorization codes, one-time tokens): stored hashed with a TTL past
 * their expiry; spending sets `usedAt` only if unset, so of two spends exactly one wins.
 */
const spendable = <T extends { hash: string; expiresAt: number; usedAt: number | null }>(
  db: DynamoDBDocumentClient,
  table: string,
  keyOf: (hash: string) => { pk: string; sk: string },
) => ({
  async create(record: T): Promise<void> {
    const { usedAt: _unused, ...fields } = record;
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...keyOf(record.hash), ...fields, ttl: epochSeconds(record.expiresAt) + 3600 },
        ConditionExpression: notExists,
      }),
    );
  },
  async get(hash: string): Promise<T | null> {
    const item = await getItem(db, table, keyOf(hash));
    // Stored without `usedAt` until spent.
    if (!item) return null;
    const record = withoutKeys<T>(item);
    return { ...record, usedAt: record.usedAt ?? null };
  },
  async spend(hash: string, at: number): Promise<T | null> {
    try {
      const result = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keyOf(hash),
          UpdateExpression: 'SET usedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? withoutKeys<T>(result.Attributes) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  },
});

/** What is used once or counted, in the tokens table, all gone by TTL. */
export const createDynamoOneTime = (
  db: DynamoDBDocumentClient,
  table: string,
): Pick<
  Store,
  | 'createAuthorizationCode'
  | 'consumeAuthorizationCode'
  | 'getAuthorizationCode'
  | 'createOneTimeToken'
  | 'consumeOneTimeToken'
  | 'markOnce'
  | 'countHit'
> => {
  const codes = spendable<AuthorizationCodeRecord>(db, table, keys.authorizationCode);
  const tokens = spendable<OneTimeTokenRecord>(db, table, keys.oneTimeToken);
  return {
    createAuthorizationCode: codes.create,
    consumeAuthorizationCode: codes.spend,
    getAuthorizationCode: codes.get,
    createOneTimeToken: tokens.create,
    consumeOneTimeToken: tokens.spend,
    async markOnce(key, expiresAt, now) {
      try {
        await db.send(
          new PutCommand({
            TableName: table,
            Item: { ...keys.once(key), expiresAt, ttl: epochSeconds(expiresAt) + 3600 },
            // An expired marker that TTL has not removed yet may be taken again.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async countHit(key, expiresAt) {
      // The key names its window, so a counter never outlives it; TTL removes it later.
      const result = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.counter(key),
          UpdateExpression: 'ADD hits :one SET #ttl = if_not_exists(#ttl, :ttl)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':ttl': epochSeconds(expiresAt) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(result.Attributes?.hits ?? 1);
    },
  };
};
