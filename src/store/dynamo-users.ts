import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GatehouseError, isGatehouseError } from '../core/shared/errors';
import type { Page, Store, UserListQuery } from '../core/shared/store';
import { isActiveOwner, type UserRecord } from '../core/users/users';
import {
  failedConditions,
  getItem,
  type Item,
  notExists,
  type TransactItem,
  transact,
  withoutKeys,
} from './dynamo-shared';
import { queryPages } from './paged-query';
import { creationSortKey, keys, searchPrefix } from './schema';
import { firstMatch, searchValues } from './user-search';

type UserMethods = Pick<
  Store,
  | 'createUser'
  | 'createFirstOwner'
  | 'countActiveOwners'
  | 'getUser'
  | 'findUserByEmail'
  | 'findUserByUsername'
  | 'findLogin'
  | 'updateUser'
  | 'deleteUser'
  | 'listUsers'
  | 'updatePasswordHash'
  | 'refreshLoginHints'
  | 'findUserByIdentity'
>;

/** `provider\u0000subject`: how two identities are compared across `before` and `after`. */
const identityIds = (user: UserRecord) =>
  new Map((user.identities ?? []).map((i) => [`${i.provider}\u0000${i.subject}`, i]));

const listSk = (user: UserRecord) => creationSortKey(user.createdAt, user.id);

/** The sparse index attributes of a user item (schema: users.indexes). */
const indexAttributes = (user: UserRecord) => ({
  listPk: 'USERS',
  listSk: listSk(user),
  rolePk: `ROLE#${user.role}`,
  statusPk: `STATUS#${user.status}`,
  roleStatusPk: `ROLESTATUS#${user.role}#${user.status}`,
});

const conflict = (message: string) => new GatehouseError('conflict', message);

/**
 * The login items' copy of the password hash (LoginEntry.passwordHashHint): written in the
 * same transaction as every write of the hash or of a login item. Invariant: only sign-in
 * reads it (findLogin); no reader role's grant names a login item (item-access.ts).
 */
const HINT = 'passwordHashHint';

/** A login's uniqueness item: the user it names and the hint (null: no password). */
const loginItem = (key: Item, user: UserRecord): Item => ({
  ...key,
  userId: user.id,
  [HINT]: user.passwordHash ?? null,
});

/** Users on DynamoDB: see docs/data-model.md for every item and index. */
export const createDynamoUsers = (db: DynamoDBDocumentClient, table: string): UserMethods => {
  const put = (item: Item, condition?: string): TransactItem => ({
    Put: { TableName: table, Item: item, ...(condition ? { ConditionExpression: condition } : {}) },
  });
  const remove = (key: Item): TransactItem => ({ Delete: { TableName: table, Key: key } });
  const userItem = (user: UserRecord) => ({
    ...keys.user(user.id),
    ...user,
    ...indexAttributes(user),
  });
  const ownerCount = (delta: 1 | -1, condition?: string): TransactItem => ({
    Update: {
      TableName: table,
      Key: keys.owners(),
      UpdateExpression: 'ADD activeOwners :delta',
      ...(condition ? { ConditionExpression: condition } : {}),
      ExpressionAttributeValues: {
        ':delta': delta,
        ...(condition?.includes(':one') ? { ':one': 1 } : {}),
        ...(condition?.includes(':zero') ? { ':zero': 0 } : {}),
      },
    },
  });

  /**
   * Runs a transaction whose items are tagged with what their failed condition means, and
   * answers the first failure as a domain conflict.
   */
  const write = async (items: { item: TransactItem; onFailure?: () => GatehouseError }[]) => {
    try {
      await transact(
        db,
        items.map((entry) => entry.item),
      );
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed?.length) throw error;
      const reasons = failed.map((index) => items[index]?.onFailure?.()).filter(Boolean);
      throw reasons[0] ?? conflict('That user already exists.');
    }
  };

  const taken = (field: string) => () => conflict(`That ${field} is already taken.`);
  const changedMeanwhile = () => conflict('The user changed meanwhile; read it again.');
  const lastOwner = () => conflict('That would leave no active owner.');

  const creation = (user: UserRecord) => [
    {
      item: put(userItem(user), notExists),
      onFailure: () => conflict('That user already exists.'),
    },
    {
      item: put(loginItem(keys.email(user.emailKey), user), notExists),
      onFailure: taken('email'),
    },
    ...(user.usernameKey
      ? [
          {
            item: put(loginItem(keys.username(user.usernameKey), user), notExists),
            onFailure: taken('username'),
          },
        ]
      : []),
    ...searchValues(user).flatMap((value, field) =>
      value
        ? [{ item: put({ ...keys.search(value, String(field), user.id), userId: user.id }) }]
        : [],
    ),
    ...[...identityIds(user).values()].map(claimIdentity(user.id)),
  ];

  /**
   * The hint on a login item of `user` that keeps its key: set to `passwordHash` only while
   * the item still names this user (a login item is never written into another user's).
   */
  const setHint = (loginKey: Item, user: UserRecord, passwordHash: string | null) => ({
    item: {
      Update: {
        TableName: table,
        Key: loginKey,
        UpdateExpression: `SET ${HINT} = :hint`,
        ConditionExpression: 'userId = :id',
        ExpressionAttributeValues: { ':hint': passwordHash, ':id': user.id },
      },
    } satisfies TransactItem,
    onFailure: changedMeanwhile,
  });

  /** A federated identity's uniqueness item, written only if nobody holds it. */
  const claimIdentity = (userId: string) => (identity: { provider: string; subject: string }) => ({
    item: put({ ...keys.identity(identity.provider, identity.subject), userId }, notExists),
    onFailure: taken('identity'),
  });
  /** The identity items to remove and to claim when `before` becomes `after`. */
  const identityChanges = (before: UserRecord | null, after: UserRecord | null) => {
    const old = before ? identityIds(before) : new Map();
    const next = after ? identityIds(after) : new Map();
    return [
      ...[...old.entries()]
        .filter(([id]) => !next.has(id))
        .map(([, i]) => ({ item: remove(keys.identity(i.provider, i.subject)) })),
      ...[...next.entries()]
        .filter(([id]) => !old.has(id))
        .map(([, i]) => claimIdentity(after?.id ?? '')(i)),
    ];
  };

  const findByGuard = async (guardKey: Item): Promise<UserRecord | null> => {
    const guard = await getItem(db, table, guardKey);
    // An unknown login still reads a user item, so it costs what a known one does.
    const userId = typeof guard?.userId === 'string' ? guard.userId : '-';
    const user = await getItem(db, table, keys.user(userId));
    return guard && user ? withoutKeys<UserRecord>(user) : null;
  };

  const getUsers = async (ids: string[]): Promise<Map<string, UserRecord>> => {
    const found = new Map<string, UserRecord>();
    for (let i = 0; i < ids.length; i += 100) {
      let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {
        [table]: { Keys: ids.slice(i, i + 100).map((id) => keys.user(id)), ConsistentRead: true },
      };
      while (request && Object.keys(request).length) {
        const result = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[table] ?? []) {
          const user = withoutKeys<UserRecord>(item);
          found.set(user.id, user);
        }
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return found;
  };

  /**
   * Up to `limit + 1` items of one partition from `from` to `to` on `sortKey`, continuing past
   * DynamoDB's 1 MB page. A range condition rather than ExclusiveStartKey: DynamoDB Local
   * walks to a start key, and real DynamoDB seeks either way.
   */
  const queryRange = async (
    range: { index?: string; partition: string; value: string; sortKey: string },
    from: string,
    to: string,
    limit: number,
  ): Promise<Item[]> => {
    const { items } = await queryPages(
      db,
      {
        TableName: table,
        ...(range.index ? { IndexName: range.index } : {}),
        KeyConditionExpression: '#p = :v AND #s BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#p': range.partition, '#s': range.sortKey },
        ExpressionAttributeValues: { ':v': range.value, ':from': from, ':to': to },
      },
      { limit },
    );
    return items;
  };

  /** The smallest string after `value`: where the next page starts. */
  const after = (value: string) => `${value}\u0000`;

  const listByIndex = async (query: UserListQuery): Promise<Page<UserRecord>> => {
    const [index, partition, value] = query.role
      ? query.status
        ? (['byRoleStatus', 'roleStatusPk', `ROLESTATUS#${query.role}#${query.status}`] as const)
        : (['byRole', 'rolePk', `ROLE#${query.role}`] as const)
      : query.status
        ? (['byStatus', 'statusPk', `STATUS#${query.status}`] as const)
        : (['byList', 'listPk', 'USERS'] as const);
    const found = await queryRange(
      { index, partition, value, sortKey: 'listSk' },
      query.after?.listSk ? after(query.after.listSk) : '0',
      '~',
      query.limit,
    );
    const items = found.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map((item) => withoutKeys<UserRecord>(item)),
      next: found.length > query.limit && last ? { listSk: String(last.listSk) } : null,
    };
  };

  const listByPrefix = async (
    query: UserListQuery & { prefix: string },
  ): Promise<Page<UserRecord>> => {
    const found = await queryRange(
      { partition: 'pk', value: 'SEARCH', sortKey: 'sk' },
      query.after?.sk ? after(query.after.sk) : searchPrefix(query.prefix),
      `${searchPrefix(query.prefix)}\u{10ffff}`,
      query.limit,
    );
    const entries = found.slice(0, query.limit);
    const users = await getUsers([...new Set(entries.map((entry) => String(entry.userId)))]);
    const items = entries.flatMap((entry) => {
      const user = users.get(String(entry.userId));
      // A user matching on several fields is listed once, at its first matching entry.
      if (!user || firstMatch(user, query.prefix) !== entry.sk) return [];
      const matches =
        (!query.role || user.role === query.role) &&
        (!query.status || user.status === query.status);
      return matches ? [user] : [];
    });
    const last = entries.at(-1);
    return {
      items,
      next: found.length > query.limit && last ? { sk: String(last.sk) } : null,
    };
  };

  return {
    async createUser(user) {
      await write([...creation(user), ...(isActiveOwner(user) ? [{ item: ownerCount(1) }] : [])]);
    },
    async createFirstOwner(user) {
      await write([
        ...creation(user),
        {
          item: ownerCount(1, 'attribute_not_exists(activeOwners) OR activeOwners <= :zero'),
          onFailure: () => conflict('An owner already exists.'),
        },
      ]);
    },
    async countActiveOwners() {
      const counter = await getItem(db, table, keys.owners());
      return typeof counter?.activeOwners === 'number' ? counter.activeOwners : 0;
    },
    async getUser(id) {
      const item = await getItem(db, table, keys.user(id));
      return item ? withoutKeys<UserRecord>(item) : null;
    },
    findUserByEmail: (emailKey) => findByGuard(keys.email(emailKey)),
    async findLogin(login) {
      const guard = await getItem(
        db,
        table,
        login.kind === 'email' ? keys.email(login.key) : keys.username(login.key),
      );
      if (typeof guard?.userId !== 'string') return null;
      const hint = guard[HINT];
      // Absent on items written before hints: sign-in then waits for the user item.
      return typeof hint === 'string' || hint === null
        ? { userId: guard.userId, passwordHashHint: hint }
        : { userId: guard.userId };
    },
    findUserByUsername: (usernameKey) => findByGuard(keys.username(usernameKey)),
    findUserByIdentity: (provider, subject) => findByGuard(keys.identity(provider, subject)),

    async updateUser(before, after) {
      const items: { item: TransactItem; onFailure?: () => GatehouseError }[] = [
        {
          item: {
            Put: {
              TableName: table,
              Item: userItem(after),
              ConditionExpression: 'updatedAt = :previous',
              ExpressionAttributeValues: { ':previous': before.updatedAt },
            },
          },
          onFailure: changedMeanwhile,
        },
      ];
      // Invariant: a login item written here carries `after`'s hash; one kept, if it changed.
      const hashChanged = (before.passwordHash ?? null) !== (after.passwordHash ?? null);
      if (before.emailKey !== after.emailKey) {
        items.push(
          { item: remove(keys.email(before.emailKey)) },
          {
            item: put(loginItem(keys.email(after.emailKey), after), notExists),
            onFailure: taken('email'),
          },
        );
      } else if (hashChanged) {
        items.push(setHint(keys.email(after.emailKey), after, after.passwordHash ?? null));
      }
      if (before.usernameKey !== after.usernameKey) {
        if (before.usernameKey) items.push({ item: remove(keys.username(before.usernameKey)) });
        if (after.usernameKey) {
          items.push({
            item: put(loginItem(keys.username(after.usernameKey), after), notExists),
            onFailure: taken('username'),
          });
        }
      } else if (hashChanged && after.usernameKey) {
        items.push(setHint(keys.username(after.usernameKey), after, after.passwordHash ?? null));
      }
      const oldValues = searchValues(before);
      searchValues(after).forEach((value, field) => {
        const old = oldValues[field];
        if (old === value) return;
        if (old) items.push({ item: remove(keys.search(old, String(field), after.id)) });
        if (value)
          items.push({
            item: put({ ...keys.search(value, String(field), after.id), userId: after.id }),
          });
      });
      items.push(...identityChanges(before, after));
      if (isActiveOwner(before) && !isActiveOwner(after)) {
        items.push({ item: ownerCount(-1, 'activeOwners > :one'), onFailure: lastOwner });
      } else if (!isActiveOwner(before) && isActiveOwner(after)) {
        items.push({ item: ownerCount(1) });
      }
      await write(items);
    },
    async deleteUser(user) {
      await write([
        {
          item: {
            Delete: {
              TableName: table,
              Key: keys.user(user.id),
              ConditionExpression: 'updatedAt = :previous',
              ExpressionAttributeValues: { ':previous': user.updatedAt },
            },
          },
          onFailure: changedMeanwhile,
        },
        { item: remove(keys.email(user.emailKey)) },
        ...(user.usernameKey ? [{ item: remove(keys.username(user.usernameKey)) }] : []),
        ...searchValues(user).flatMap((value, field) =>
          value ? [{ item: remove(keys.search(value, String(field), user.id)) }] : [],
        ),
        ...identityChanges(user, null),
        ...(isActiveOwner(user)
          ? [{ item: ownerCount(-1, 'activeOwners > :one'), onFailure: lastOwner }]
          : []),
      ]);
    },
    listUsers: (query) =>
      query.prefix ? listByPrefix({ ...query, prefix: query.prefix }) : listByIndex(query),
    async refreshLoginHints(user) {
      const hash = user.passwordHash ?? null;
      try {
        await write([
          {
            item: {
              ConditionCheck: {
                TableName: table,
                Key: keys.user(user.id),
                // Invariant: a hint is only ever the hash the user item holds as it is written.
                ConditionExpression:
                  hash === null
                    ? 'attribute_exists(id) AND (attribute_not_exists(passwordHash) OR attribute_type(passwordHash, :null))'
                    : 'passwordHash = :hash',
                ExpressionAttributeValues: hash === null ? { ':null': 'NULL' } : { ':hash': hash },
              },
            },
            onFailure: changedMeanwhile,
          },
          setHint(keys.email(user.emailKey), user, hash),
          ...(user.usernameKey ? [setHint(keys.username(user.usernameKey), user, hash)] : []),
        ]);
        return true;
      } catch (error) {
        if (!isGatehouseError(error) || error.code !== 'conflict') throw error;
        return false;
      }
    },
    async updatePasswordHash(user, passwordHash, at, verifiedHash) {
      try {
        await write([
          {
            item: {
              Update: {
                TableName: table,
                Key: keys.user(user.id),
                // The user as read: its login items are exactly the ones hinted below.
                ConditionExpression: 'passwordHash = :verified AND updatedAt = :previous',
                UpdateExpression: 'SET passwordHash = :hash, updatedAt = :at',
                ExpressionAttributeValues: {
                  ':verified': verifiedHash,
                  ':previous': user.updatedAt,
                  ':hash': passwordHash,
                  ':at': at,
                },
              },
            },
          },
          setHint(keys.email(user.emailKey), user, passwordHash),
          ...(user.usernameKey
            ? [setHint(keys.username(user.usernameKey), user, passwordHash)]
            : []),
        ]);
        return true;
      } catch (error) {
        if (!isGatehouseError(error) || error.code !== 'conflict') throw error;
        return false;
      }
    },
  };
};
