import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RefreshTokenRecord, RotationOutcome, SessionRecord, Store } from '../core/store';
import { createDynamoApiTokens } from './dynamo-api-tokens';
import { createDynamoAudit } from './dynamo-audit';
import { createDynamoClients } from './dynamo-clients';
import { createDynamoConsents } from './dynamo-consents';
import { createDynamoLoginFailures } from './dynamo-login-failures';
import { createDynamoOneTime } from './dynamo-one-time';
import { readPublishedKeys } from './dynamo-published-keys';
import type { TableNames } from './dynamo-settings';
import {
  epochSeconds,
  failedConditions,
  getItem,
  type Item,
  isConditionFailure,
  notExists,
  transact,
  withoutKeys,
} from './dynamo-shared';
import { createDynamoUsers } from './dynamo-users';
import { keys, tables } from './schema';

const toSession = (item: Item): SessionRecord => {
  const session = withoutKeys<SessionRecord>(item);
  return { ...session, clientId: session.clientId ?? null, revokedAt: session.revokedAt ?? null };
};

const toRefresh = (item: Item): RefreshTokenRecord => {
  const refresh = withoutKeys<RefreshTokenRecord>(item);
  return { ...refresh, usedAt: refresh.usedAt ?? null };
};

/**
 * The storage port on DynamoDB (docs/data-model.md). Nullable markers (`usedAt`, `revokedAt`)
 * are left out rather than stored as null, so conditions can test attribute_not_exists.
 */
export const createDynamoStore = (db: DynamoDBDocumentClient, names: TableNames): Store => {
  const get = (table: string, key: Item) => getItem(db, table, key);

  const refreshItem = (refresh: RefreshTokenRecord): Item => {
    const { usedAt, ...rest } = refresh;
    return {
      ...keys.refresh(refresh.hash),
      ...rest,
      ...(usedAt === null ? {} : { usedAt }),
      ttl: epochSeconds(refresh.expiresAt),
    };
  };

  /** True when this call ended the session (it existed and was live). */
  const revokeSession = async (sid: string, at: number): Promise<boolean> => {
    try {
      await db.send(
        new UpdateCommand({
          TableName: names.tokens,
          Key: keys.session(sid),
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  };

  return {
    ...createDynamoUsers(db, names.users),
    ...createDynamoAudit(db, names.audit),
    ...createDynamoApiTokens(db, names.tokens),
    ...createDynamoClients(db, names.tokens),
    ...createDynamoOneTime(db, names.tokens),
    ...createDynamoConsents(db, names.tokens),

    async createSession(session, refresh) {
      // Fresh random keys cannot collide: one batch round trip, no transaction needed. A
      // half-written pair is inert (rotation checks the session exists).
      const { revokedAt: _revoked, ...fields } = session;
      let requests: Record<string, { PutRequest: { Item: Item } }[]> | undefined = {
        [names.tokens]: [
          {
            PutRequest: {
              Item: {
                ...keys.session(session.sid),
                ...fields,
                gsi1pk: keys.sessionsOfUser(session.userId),
                gsi1sk: `SESSION#${session.sid}`,
                ttl: epochSeconds(session.expiresAt),
              },
            },
          },
          ...(refresh ? [{ PutRequest: { Item: refreshItem(refresh) } }] : []),
          // Listed under its client, so deleting the client finds it (revokeClientSessions).
          ...(session.clientId
            ? [
                {
                  PutRequest: {
                    Item: {
                      ...keys.sessionOfClient(session.clientId, session.sid),
                      sid: session.sid,
                      userId: session.userId,
                      ttl: epochSeconds(session.expiresAt),
                    },
                  },
                },
              ]
            : []),
        ],
      };
      for (let attempt = 1; requests && Object.keys(requests).length; attempt++) {
        if (attempt > 5) throw new Error('DynamoDB left the session unwritten');
        const result = await db.send(new BatchWriteCommand({ RequestItems: requests }));
        requests = result.UnprocessedItems as typeof requests;
        if (requests && Object.keys(requests).length) {
          await new Promise((wait) => setTimeout(wait, attempt * 25));
        }
      }
    },
    async getSession(sid) {
      const item = await get(names.tokens, keys.session(sid));
      return item ? toSession(item) : null;
    },
    async getRefreshToken(hash) {
      const item = await get(names.tokens, keys.refresh(hash));
      return item ? toRefresh(item) : null;
    },
    async rotateRefreshToken(oldHash, next, at): Promise<RotationOutcome> {
      try {
        await transact(db, [
          {
            Update: {
              TableName: names.tokens,
              Key: keys.refresh(oldHash),
              UpdateExpression: 'SET usedAt = :at',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
              ExpressionAttributeValues: { ':at': at },
            },
          },
          {
            Put: {
              TableName: names.tokens,
              Item: refreshItem(next),
              ConditionExpression: notExists,
            },
          },
          {
            ConditionCheck: {
              TableName: names.tokens,
              Key: keys.session(next.sid),
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
            },
          },
        ]);
        return 'rotated';
      } catch (error) {
        const failed = failedConditions(error);
        if (!failed?.length) throw error;
        return failed.includes(2) ? 'session_revoked' : 'already_used';
      }
    },
    async revokeSession(sid, at) {
      await revokeSession(sid, at);
    },
    async revokeUserSessions(userId, at, keepSid) {
      const sids: string[] = [];
      let start: Item | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: names.tokens,
            IndexName: tables.tokens.indexes[0].name,
            KeyConditionExpression: 'gsi1pk = :user',
            FilterExpression: 'attribute_not_exists(revokedAt)',
            ExpressionAttributeValues: { ':user': keys.sessionsOfUser(userId) },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          if (item.sid !== keepSid) sids.push(String(item.sid));
        }
        start = page.LastEvaluatedKey;
      } while (start);
      await Promise.all(sids.map((sid) => revokeSession(sid, at)));
      return sids.length;
    },
    async revokeClientSessions(clientId, at) {
      const sids: string[] = [];
      let start: Item | undefined;
      do {
        // The base table, consistently: every session written before this call is listed.
        const page = await db.send(
          new QueryCommand({
            TableName: names.tokens,
            KeyConditionExpression: 'pk = :client',
            ExpressionAttributeValues: { ':client': keys.sessionOfClient(clientId, '').pk },
            ProjectionExpression: 'sid',
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) sids.push(String(item.sid));
        start = page.LastEvaluatedKey;
      } while (start);
      const ended = await Promise.all(sids.map((sid) => revokeSession(sid, at)));
      return ended.filter(Boolean).length;
    },

    ...createDynamoLoginFailures(db, names.tokens),

    getPublishedKeys: () => readPublishedKeys(db, names.tokens),
    async publishKeys(generation, published) {
      try {
        await db.send(
          new PutCommand({
            TableName: names.tokens,
            Item: { ...keys.publishedKeys(), generation, jwks: JSON.stringify(published) },
            ConditionExpression: 'attribute_not_exists(pk) OR generation <= :generation',
            ExpressionAttributeValues: { ':generation': generation },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
};
