import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Page, Store } from '../core/shared/store';
import type { ApiTokenRecord } from '../core/tokens/api-tokens';
import { toApiToken } from './api-token-item';
import { getItem, type Item, isConditionFailure, notExists } from './dynamo-shared';
import { pageOfFound, queryPages } from './paged-query';
import { creationSortKey, keys } from './schema';

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
  `APITOKEN#${creationSortKey(token.createdAt, token.tokenId)}`;

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
    const { items } = await queryPages(db, {
      TableName: table,
      IndexName: 'byUser',
      KeyConditionExpression: 'gsi1pk = :user AND begins_with(gsi1sk, :kind)',
      FilterExpression: 'attribute_not_exists(revokedAt)',
      ExpressionAttributeValues: { ':user': keys.sessionsOfUser(userId), ':kind': 'APITOKEN#' },
    });
    const ids = items.map((item) => String(item.tokenId));
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
    const found = await queryPages(
      db,
      {
        TableName: table,
        IndexName: index,
        KeyConditionExpression: '#p = :v AND begins_with(#s, :kind)',
        ...(includeRevoked ? {} : { FilterExpression: 'attribute_not_exists(revokedAt)' }),
        ExpressionAttributeNames: { '#p': partition, '#s': sort },
        ExpressionAttributeValues: { ':v': value, ':kind': 'APITOKEN#' },
        ScanIndexForward: false,
        ...(after ? { ExclusiveStartKey: after } : {}),
      },
      { limit, maxRounds: MAX_QUERIES_PER_PAGE },
    );
    const page = pageOfFound(found, limit, ['pk', 'sk', partition, sort]);
    return { items: page.items.map(toApiToken), next: page.next };
  },
});
