import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApiTokenRecord } from '../core/api-tokens';
import type { Page, Store } from '../core/store';
import { toApiToken } from './api-token-item';
import { getItem, type Item, isConditionFailure, notExists, positionOf } from './dynamo-shared';
import { keys } from './schema';

type ApiTokenMethods = Pick<
  Store,
  | 'createApiToken'
  | 'getApiToken'
  | 'revokeApiToken'
  | 'renewApiToken'
  | 'listApiTokens'
  | 'revokeUserApiTokens'
>;

const MAX_QUERIES_PER_PAGE = 10;

const sortKey = (token: ApiTokenRecord) =>
  `APITOKEN#${String(token.createdAt).padStart(15, '0')}#${token.tokenId}`;

/** Sets revokedAt once; a second revocation keeps the first time. */
const revokeOne = async (
  db: DynamoDBDocumentClient,
  table: string,
  tokenId: string,
  at: number,
) => {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.apiToken(tokenId),
        UpdateExpression: 'SET revokedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};

/** API tokens in the tokens table: one item each (docs/data-model.md). */
export const createDynamoApiTokens = (
  db: DynamoDBDocumentClient,
  table: string,
): ApiTokenMethods => ({
  async revokeUserApiTokens(userId, at) {
    const ids: string[] = [];
    let start: Item | undefined;
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'byUser',
          KeyConditionExpression: 'gsi1pk = :user AND begins_with(gsi1sk, :kind)',
          FilterExpression: 'attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':user': keys.sessionsOfUser(userId), ':kind': 'APITOKEN#' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item.tokenId));
      start = page.LastEvaluatedKey;
    } while (start);
    await Promise.all(ids.map((id) => revokeOne(db, table, id, at)));
    return ids.length;
  },
  async createApiToken(token) {
    const item: Item = {
      ...keys.apiToken(token.tokenId),
      ...Object.fromEntries(Object.entries(token).filter(([, value]) => value !== null)),
      gsi1pk: keys.sessionsOfUser(token.userId),
      gsi1sk: sortKey(token),
      kindPk: 'APITOKEN',
      kindSk: sortKey(token),
    };
    await db.send(new PutCommand({ TableName: table, Item: item, ConditionExpression: notExists }));
  },
  async getApiToken(tokenId) {
    const item = await getItem(db, table, keys.apiToken(tokenId));
    return item ? toApiToken(item) : null;
  },
  revokeApiToken: (tokenId, at) => revokeOne(db, table, tokenId, at),
  async renewApiToken(tokenId, expiresAt) {
    try {
      const result = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.apiToken(tokenId),
          UpdateExpression: 'SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':expiresAt': expiresAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? toApiToken(result.Attributes) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  },
  async listApiTokens({ userId, includeRevoked, limit, after }): Promise<Page<ApiTokenRecord>> {
    const [index, partition, value, sort] = userId
      ? (['byUser', 'gsi1pk', keys.sessionsOfUser(userId), 'gsi1sk'] as const)
      : (['byKind', 'kindPk', 'APITOKEN', 'kindSk'] as const);
    const found: Item[] = [];
    let start: Item | undefined = after;
    for (let round = 0; round < MAX_QUERIES_PER_PAGE && found.length <= limit; round++) {
      const result = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index,
          KeyConditionExpression: '#p = :v AND begins_with(#s, :kind)',
          ...(includeRevoked ? {} : { FilterExpression: 'attribute_not_exists(revokedAt)' }),
          ExpressionAttributeNames: { '#p': partition, '#s': sort },
          ExpressionAttributeValues: { ':v': value, ':kind': 'APITOKEN#' },
          ScanIndexForward: false,
          Limit: limit + 1 - found.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      found.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
      if (!start) break;
    }
    const items = found.slice(0, limit);
    const last = items.at(-1);
    const more = found.length > limit || (items.length === limit && start !== undefined);
    return {
      items: items.map(toApiToken),
      next: more && last ? positionOf(last, ['pk', 'sk', partition, sort]) : null,
    };
  },
});
