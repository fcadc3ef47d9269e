import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuthorizationCodeRecord } from '../core/authorization-codes';
import type { ClientRecord } from '../core/clients';
import type { Store } from '../core/store';
import {
  getItem,
  type Item,
  isConditionFailure,
  notExists,
  positionOf,
  withoutKeys,
} from './dynamo-shared';
import { keys } from './schema';

const toClient = (item: Item): ClientRecord => {
  const client = withoutKeys<ClientRecord>(item);
  return {
    ...client,
    secretHash: client.secretHash ?? null,
    serviceUserId: client.serviceUserId ?? null,
    createdBy: client.createdBy ?? null,
  };
};

/** OAuth clients in the tokens table: one item each, listed through the sparse byKind index. */
export const createDynamoClients = (
  db: DynamoDBDocumentClient,
  table: string,
): Pick<
  Store,
  | 'createClient'
  | 'getClient'
  | 'deleteClient'
  | 'listClients'
  | 'createAuthorizationCode'
  | 'consumeAuthorizationCode'
  | 'markOnce'
> => ({
  async markOnce(key, expiresAt) {
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...keys.once(key), expiresAt, ttl: Math.floor(expiresAt / 1000) + 3600 },
          // An expired marker that TTL has not removed yet may be taken again.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': Date.now() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
  async createAuthorizationCode(code) {
    const { usedAt: _unused, ...fields } = code;
    await db.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.authorizationCode(code.hash),
          ...fields,
          ttl: Math.floor(code.expiresAt / 1000) + 3600,
        },
        ConditionExpression: notExists,
      }),
    );
  },
  async consumeAuthorizationCode(hash, at) {
    try {
      const result = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.authorizationCode(hash),
          UpdateExpression: 'SET usedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? withoutKeys<AuthorizationCodeRecord>(result.Attributes) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  },
  async createClient(client) {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.client(client.clientId),
          ...Object.fromEntries(Object.entries(client).filter(([, value]) => value !== null)),
          kindPk: 'CLIENT',
          kindSk: `CLIENT#${String(client.createdAt).padStart(15, '0')}#${client.clientId}`,
        },
        ConditionExpression: notExists,
      }),
    );
  },
  async getClient(clientId) {
    const item = await getItem(db, table, keys.client(clientId));
    return item ? toClient(item) : null;
  },
  async deleteClient(clientId) {
    await db.send(new DeleteCommand({ TableName: table, Key: keys.client(clientId) }));
  },
  async listClients({ limit, after }) {
    const result = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byKind',
        KeyConditionExpression: 'kindPk = :kind',
        ExpressionAttributeValues: { ':kind': 'CLIENT' },
        ScanIndexForward: false,
        Limit: limit + 1,
        ...(after ? { ExclusiveStartKey: after } : {}),
      }),
    );
    const items = (result.Items ?? []).slice(0, limit);
    const last = items.at(-1);
    const more = (result.Items?.length ?? 0) > limit;
    return {
      items: items.map(toClient),
      next: more && last ? positionOf(last, ['pk', 'sk', 'kindPk', 'kindSk']) : null,
    };
  },
});
