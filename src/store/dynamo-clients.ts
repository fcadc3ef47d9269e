import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ClientRecord } from '../core/oauth/clients';
import type { Store } from '../core/shared/store';
import { getItem, type Item, notExists, positionOf, withoutKeys } from './dynamo-shared';
import { creationSortKey, keys } from './schema';

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
): Pick<Store, 'createClient' | 'getClient' | 'deleteClient' | 'listClients'> => ({
  async createClient(client) {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.client(client.clientId),
          ...Object.fromEntries(Object.entries(client).filter(([, value]) => value !== null)),
          kindPk: 'CLIENT',
          kindSk: `CLIENT#${creationSortKey(client.createdAt, client.clientId)}`,
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
