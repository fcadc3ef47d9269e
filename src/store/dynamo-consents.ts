import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ConsentRecord } from '../core/oauth/consent';
import type { Store } from '../core/shared/store';
import type { Item } from './dynamo-shared';
import { revokeListedSessions } from './revoke-listed-sessions';
import { keys } from './schema';

const toConsent = (item: Item): ConsentRecord => ({
  userId: String(item.userId),
  clientId: String(item.clientId),
  // A string set (so an Allow adds atomically); sorted, as the memory store answers.
  scopes: [...((item.scopes as Set<string> | undefined) ?? [])].sort(),
  grantedAt: Number(item.grantedAt),
});

/**
 * OAuth consents (one item per user and client, in the user's own partition, so listing them
 * is one Query) and ending a client's sessions of a user when a consent is withdrawn.
 */
export const createDynamoConsents = (
  db: DynamoDBDocumentClient,
  table: string,
): Pick<
  Store,
  'grantConsent' | 'getConsent' | 'listConsents' | 'deleteConsent' | 'revokeUserClientSessions'
> => ({
  async grantConsent(consent) {
    // ADD to a string set: two Allows at once both count, with no read before the write.
    const result = await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.consent(consent.userId, consent.clientId),
        UpdateExpression: `SET userId = :u, clientId = :c, grantedAt = :at${consent.scopes.length ? ' ADD scopes :s' : ''}`,
        ExpressionAttributeValues: {
          ':u': consent.userId,
          ':c': consent.clientId,
          ':at': consent.grantedAt,
          ...(consent.scopes.length ? { ':s': new Set(consent.scopes) } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toConsent(result.Attributes as Item);
  },
  async getConsent(userId, clientId) {
    const result = await db.send(
      new GetCommand({
        TableName: table,
        Key: keys.consent(userId, clientId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? toConsent(result.Item) : null;
  },
  async listConsents(userId) {
    const found: ConsentRecord[] = [];
    let start: Item | undefined;
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.consent(userId, '').pk },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      found.push(...(page.Items ?? []).map(toConsent));
      start = page.LastEvaluatedKey;
    } while (start);
    return found.sort((a, b) => a.grantedAt - b.grantedAt || a.clientId.localeCompare(b.clientId));
  },
  async deleteConsent(userId, clientId) {
    const result = await db.send(
      new DeleteCommand({
        TableName: table,
        Key: keys.consent(userId, clientId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes !== undefined;
  },
  // The client's own list of sessions (CLIENTSESSIONS#<clientId>, entries carry userId),
  // read consistently: a GSI could miss a session created a moment before the withdrawal.
  revokeUserClientSessions: (userId, clientId, at) =>
    revokeListedSessions(
      db,
      table,
      {
        KeyConditionExpression: 'pk = :client',
        FilterExpression: 'userId = :user',
        ExpressionAttributeValues: {
          ':client': keys.sessionOfClient(clientId, '').pk,
          ':user': userId,
        },
        ProjectionExpression: 'sid',
        ConsistentRead: true,
      },
      at,
    ),
});
