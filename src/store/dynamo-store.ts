import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { GatehouseError } from '../core/errors';
import type { RefreshTokenRecord, RotationOutcome, SessionRecord, Store } from '../core/store';
import type { UserRecord } from '../core/users';
import type { TableNames } from './dynamo-settings';
import { parsePublishedKeys } from './published-keys';
import { keys, tables } from './schema';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Which items of a cancelled transaction failed their condition. */
const failedConditions = (error: unknown): number[] | null =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).flatMap((reason, index) =>
        reason.Code === 'ConditionalCheckFailed' ? [index] : [],
      )
    : null;

const isOnlyConflict = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict') &&
  !(error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');

/**
 * Runs a transaction, retrying when it only lost a race with another transaction on the same
 * items: the retry then meets the winner's writes and its conditions decide.
 */
const transact = async (db: DynamoDBDocumentClient, items: TransactItem[]): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!isOnlyConflict(error) || attempt >= 5) throw error;
      await new Promise((wait) => setTimeout(wait, attempt * 20 * Math.random()));
    }
  }
};

const withoutKeys = <T>(item: Item): T => {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ttl: _ttl, ...rest } = item;
  return rest as T;
};

const toSession = (item: Item): SessionRecord => {
  const session = withoutKeys<SessionRecord>(item);
  return { ...session, clientId: session.clientId ?? null, revokedAt: session.revokedAt ?? null };
};

const toRefresh = (item: Item): RefreshTokenRecord => {
  const refresh = withoutKeys<RefreshTokenRecord>(item);
  return { ...refresh, usedAt: refresh.usedAt ?? null };
};

const notExists = 'attribute_not_exists(pk)';

/**
 * The storage port on DynamoDB (docs/data-model.md). Nullable markers (`usedAt`, `revokedAt`)
 * are left out rather than stored as null, so conditions can test attribute_not_exists.
 */
export const createDynamoStore = (db: DynamoDBDocumentClient, names: TableNames): Store => {
  const get = async (table: string, key: Item): Promise<Item | null> =>
    (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item ??
    null;

  const userPuts = (user: UserRecord): TransactItem[] => [
    {
      Put: {
        TableName: names.users,
        Item: { ...keys.user(user.id), ...user },
        ConditionExpression: notExists,
      },
    },
    {
      Put: {
        TableName: names.users,
        Item: { ...keys.email(user.emailKey), userId: user.id },
        ConditionExpression: notExists,
      },
    },
    ...(user.usernameKey
      ? [
          {
            Put: {
              TableName: names.users,
              Item: { ...keys.username(user.usernameKey), userId: user.id },
              ConditionExpression: notExists,
            },
          },
        ]
      : []),
  ];

  const ownerCount = (condition?: string): TransactItem => ({
    Update: {
      TableName: names.users,
      Key: keys.owners(),
      UpdateExpression: 'ADD activeOwners :one',
      ...(condition ? { ConditionExpression: condition } : {}),
      ExpressionAttributeValues: { ':one': 1, ...(condition ? { ':zero': 0 } : {}) },
    },
  });

  /** Runs a user-creating transaction, naming the unique field that was taken. */
  const writeUser = async (user: UserRecord, items: TransactItem[], ownerIndex?: number) => {
    try {
      await transact(db, items);
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed?.length) throw error;
      if (ownerIndex !== undefined && failed.includes(ownerIndex)) {
        throw new GatehouseError('conflict', 'An owner already exists.');
      }
      if (failed.includes(1)) throw new GatehouseError('conflict', 'That email is already taken.');
      if (user.usernameKey && failed.includes(2)) {
        throw new GatehouseError('conflict', 'That username is already taken.');
      }
      throw new GatehouseError('conflict', 'That user already exists.');
    }
  };

  const findByGuard = async (guardKey: Item): Promise<UserRecord | null> => {
    const guard = await get(names.users, guardKey);
    // An unknown login still reads a user item, so it costs what a known one does.
    const user = await get(
      names.users,
      keys.user(typeof guard?.userId === 'string' ? guard.userId : '-'),
    );
    return guard && user ? withoutKeys<UserRecord>(user) : null;
  };

  const setUserFields = async (userId: string, fields: Item) => {
    const names_ = Object.keys(fields);
    await db.send(
      new UpdateCommand({
        TableName: names.users,
        Key: keys.user(userId),
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression: `SET ${names_.map((n) => `#${n} = :${n}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names_.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names_.map((n) => [`:${n}`, fields[n]])),
      }),
    );
  };

  const refreshItem = (refresh: RefreshTokenRecord): Item => {
    const { usedAt, ...rest } = refresh;
    return {
      ...keys.refresh(refresh.hash),
      ...rest,
      ...(usedAt === null ? {} : { usedAt }),
      ttl: epochSeconds(refresh.expiresAt),
    };
  };

  const revokeSession = async (sid: string, at: number) => {
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
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  };

  return {
    async createUser(user) {
      const ownerItems = user.role === 'owner' && user.status === 'active' ? [ownerCount()] : [];
      await writeUser(user, [...userPuts(user), ...ownerItems]);
    },
    async createFirstOwner(user) {
      const items = userPuts(user);
      const condition = 'attribute_not_exists(activeOwners) OR activeOwners <= :zero';
      await writeUser(user, [...items, ownerCount(condition)], items.length);
    },
    async hasActiveOwner() {
      const counter = await get(names.users, keys.owners());
      return typeof counter?.activeOwners === 'number' && counter.activeOwners > 0;
    },
    async getUser(id) {
      const item = await get(names.users, keys.user(id));
      return item ? withoutKeys<UserRecord>(item) : null;
    },
    findUserByEmail: (emailKey) => findByGuard(keys.email(emailKey)),
    findUserByUsername: (usernameKey) => findByGuard(keys.username(usernameKey)),
    async recordSignIn(userId, at) {
      await setUserFields(userId, { lastSignInAt: at });
    },
    async updatePasswordHash(userId, passwordHash, at) {
      await setUserFields(userId, { passwordHash, updatedAt: at });
    },

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
          { PutRequest: { Item: refreshItem(refresh) } },
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
    revokeSession,
    async revokeUserSessions(userId, at) {
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
        for (const item of page.Items ?? []) sids.push(String(item.sid));
        start = page.LastEvaluatedKey;
      } while (start);
      await Promise.all(sids.map((sid) => revokeSession(sid, at)));
      return sids.length;
    },

    async getLoginFailures(key) {
      const item = await get(names.tokens, keys.loginFailures(key));
      return item
        ? { failures: Number(item.failures), lastFailureAt: Number(item.lastFailureAt) }
        : null;
    },
    async recordLoginFailure(key, { at, startOver, expiresAt }) {
      const result = await db.send(
        new UpdateCommand({
          TableName: names.tokens,
          Key: keys.loginFailures(key),
          UpdateExpression: startOver
            ? 'SET failures = :one, lastFailureAt = :at, #ttl = :ttl'
            : 'ADD failures :one SET lastFailureAt = :at, #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':at': at, ':ttl': epochSeconds(expiresAt) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { failures: Number(result.Attributes?.failures), lastFailureAt: at };
    },
    async clearLoginFailures(key) {
      await db.send(new DeleteCommand({ TableName: names.tokens, Key: keys.loginFailures(key) }));
    },

    async getPublishedKeys() {
      const item = await get(names.tokens, keys.publishedKeys());
      return item ? parsePublishedKeys(item) : null;
    },
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
