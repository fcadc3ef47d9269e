import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GatehouseError } from '../core/shared/errors';
import {
  type RefreshTokenRecord,
  type RotationOutcome,
  SESSION_LISTING_MAX,
  type SessionRecord,
  type Store,
} from '../core/shared/store';
import { createDynamoActivity } from './dynamo-activity';
import { createDynamoApiTokens } from './dynamo-api-tokens';
import { auditItem, createDynamoAudit } from './dynamo-audit';
import { createDynamoClients } from './dynamo-clients';
import { createDynamoConsents } from './dynamo-consents';
import { createDynamoLoginFailures } from './dynamo-login-failures';
import { createDynamoMfa } from './dynamo-mfa';
import { createDynamoOneTime } from './dynamo-one-time';
import { readPublishedKeys } from './dynamo-published-keys';
import { createDynamoRevocations } from './dynamo-revocations';
import { addDynamoSessionAmr } from './dynamo-session-amr';
import { renewDynamoSession } from './dynamo-session-renewal';
import type { TableNames } from './dynamo-settings';
import {
  epochSeconds,
  failedConditions,
  getItem,
  type Item,
  isConditionFailure,
  notExists,
  revokeSessionItem,
  type TransactItem,
  transact,
  withoutKeys,
} from './dynamo-shared';
import { createDynamoUsers } from './dynamo-users';
import { queryPages } from './paged-query';
import { publishKeys } from './publish-keys';
import { revokeListedSessions } from './revoke-listed-sessions';
import { keys, tables } from './schema';

/** A session listing reads at most 5 pages of 1,000 index entries (ended ones included). */
const SESSION_READ_PAGE = 1000;
const SESSION_READ_ROUNDS = 5;

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

  const revokeSession = (sid: string, at: number, belowVersion?: number) =>
    revokeSessionItem(db, names.tokens, sid, at, belowVersion);

  return {
    ...createDynamoUsers(db, names.users),
    ...createDynamoAudit(db, names.audit),
    ...createDynamoActivity(db, names.audit),
    ...createDynamoApiTokens(db, names.tokens),
    ...createDynamoClients(db, names.tokens),
    ...createDynamoOneTime(db, names.tokens),
    ...createDynamoConsents(db, names.tokens),
    ...createDynamoMfa(db, names),
    ...createDynamoRevocations(db, names.tokens),

    async createSession(session, refresh, options) {
      // One transaction: the session is written only while the user still has the credential
      // version it was opened at and its client still exists (a revoking write or a client's
      // deletion in between leaves nothing behind for the sweeps to miss).
      const { revokedAt: _revoked, ...fields } = session;
      const version = session.credentialVersion;
      const guards: TransactItem[] =
        version === undefined
          ? []
          : [
              {
                // The guard also records the sign-in: one round trip for both.
                Update: {
                  TableName: names.users,
                  Key: keys.user(session.userId),
                  // Absent on users stored before versions: version 0.
                  ConditionExpression:
                    version === 0
                      ? 'attribute_exists(pk) AND (attribute_not_exists(credentialVersion) OR credentialVersion = :v)'
                      : 'credentialVersion = :v',
                  UpdateExpression: 'SET lastSignInAt = :at',
                  ExpressionAttributeValues: { ':v': version, ':at': session.createdAt },
                },
              },
              ...(session.clientId
                ? [
                    {
                      ConditionCheck: {
                        TableName: names.tokens,
                        Key: keys.client(session.clientId),
                        ConditionExpression: 'attribute_exists(pk)',
                      },
                    },
                  ]
                : []),
            ];
      const items: TransactItem[] = [
        ...guards,
        ...(options?.clearLoginFailures
          ? [
              {
                Delete: {
                  TableName: names.tokens,
                  Key: keys.loginFailures(options.clearLoginFailures),
                },
              },
            ]
          : []),
        {
          Put: {
            TableName: names.tokens,
            Item: {
              ...keys.session(session.sid),
              ...fields,
              gsi1pk: keys.sessionsOfUser(session.userId),
              gsi1sk: `SESSION#${session.sid}`,
              ttl: epochSeconds(session.expiresAt),
            },
          },
        },
        // A hash names one session ever: an imported value given twice is refused, not moved.
        ...(refresh
          ? [
              {
                Put: {
                  TableName: names.tokens,
                  Item: refreshItem(refresh),
                  ConditionExpression: notExists,
                },
              },
            ]
          : []),
        ...(options?.audit
          ? [
              {
                Put: {
                  TableName: names.audit,
                  Item: auditItem(options.audit.event, options.audit.expiresAt),
                },
              },
            ]
          : []),
        // Spent in the session's write: a failed exchange leaves the code for its retry.
        ...(options?.spendAuthorizationCode
          ? [
              {
                Update: {
                  TableName: names.tokens,
                  Key: keys.authorizationCode(options.spendAuthorizationCode.hash),
                  UpdateExpression: 'SET usedAt = :usedAt',
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
                  ExpressionAttributeValues: { ':usedAt': options.spendAuthorizationCode.at },
                },
              },
            ]
          : []),
        // Listed under its user, so the import replacing it finds it (revokeUserSessions).
        ...(session.origin === 'import'
          ? [
              {
                Put: {
                  TableName: names.tokens,
                  Item: {
                    ...keys.importedSessionOf(session.userId, session.sid),
                    sid: session.sid,
                  },
                },
              },
            ]
          : []),
        // Listed under its client, so deleting the client finds it (revokeClientSessions).
        ...(session.clientId
          ? [
              {
                Put: {
                  TableName: names.tokens,
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
      ];
      const refreshIndex = refresh
        ? items.findIndex((item) => item.Put?.Item?.pk === keys.refresh(refresh.hash).pk)
        : -1;
      const codeIndex = items.findIndex(
        (item) => item.Update?.UpdateExpression === 'SET usedAt = :usedAt',
      );
      try {
        await transact(db, items);
      } catch (error) {
        const failed = failedConditions(error);
        if (!failed?.length) throw error;
        throw new GatehouseError(
          'conflict',
          failed.includes(0) && guards.length > 0
            ? "The user's credentials changed meanwhile."
            : failed.includes(refreshIndex)
              ? 'That refresh token already names another session.'
              : failed.includes(codeIndex)
                ? 'The authorization code is spent.'
                : 'The client no longer exists.',
        );
      }
    },
    renewSession: (request) => renewDynamoSession(db, names, request),
    addSessionAmr: async (sid, values, at) =>
      addDynamoSessionAmr(
        db,
        names,
        async (id) => {
          const item = await get(names.tokens, keys.session(id));
          return item ? toSession(item) : null;
        },
        { sid, values, at },
      ),
    async keepSessionAtVersion(sid, credentialVersion) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: names.tokens,
            Key: keys.session(sid),
            UpdateExpression: 'SET credentialVersion = :v',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
            ExpressionAttributeValues: { ':v': credentialVersion },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
    async getSession(sid) {
      const item = await get(names.tokens, keys.session(sid));
      return item ? toSession(item) : null;
    },
    async listUserSessions(userId, now, limit) {
      // The sweeps' access path (byUser), ordered by sid (random), not by age: every entry is
      // read, past ended ones, up to a budget of SESSION_READ_ROUNDS pages of SESSION_READ_PAGE
      // entries; a read the budget stops answers `more` (never a silently short list).
      const { items, lastKey } = await queryPages(
        db,
        {
          TableName: names.tokens,
          IndexName: tables.tokens.indexes[0].name,
          KeyConditionExpression: 'gsi1pk = :user AND begins_with(gsi1sk, :session)',
          FilterExpression: 'attribute_not_exists(revokedAt) AND expiresAt > :now',
          ExpressionAttributeValues: {
            ':user': keys.sessionsOfUser(userId),
            ':session': 'SESSION#',
            ':now': now,
          },
          Limit: SESSION_READ_PAGE,
        },
        { maxRounds: SESSION_READ_ROUNDS },
      );
      const live = items.map(toSession).sort((a, b) => b.createdAt - a.createdAt);
      return {
        sessions: live.slice(0, Math.min(limit, SESSION_LISTING_MAX)),
        more: live.length > limit || lastKey !== undefined,
      };
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
            // The session's last use rides on its own guard: no round trip added.
            Update: {
              TableName: names.tokens,
              Key: keys.session(next.sid),
              // Issued before the session's last renewal: spent (the caller read this generation).
              ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(revokedAt) AND ${
                next.generation
                  ? 'refreshGeneration = :g'
                  : '(attribute_not_exists(refreshGeneration) OR refreshGeneration = :g)'
              }`,
              UpdateExpression: 'SET lastUsedAt = :at',
              ExpressionAttributeValues: { ':g': next.generation ?? 0, ':at': at },
            },
          },
        ]);
        return 'rotated';
      } catch (error) {
        const failed = failedConditions(error);
        if (!failed?.length) throw error;
        if (!failed.includes(2)) return 'already_used';
        const item = await get(names.tokens, keys.session(next.sid));
        const session = item ? toSession(item) : null;
        return !session || session.revokedAt !== null ? 'session_revoked' : 'already_used';
      }
    },
    async revokeSession(sid, at) {
      await revokeSession(sid, at);
    },
    revokeUserSessions: (userId, at, sweep) =>
      revokeListedSessions(
        db,
        names.tokens,
        sweep?.importedOnly
          ? {
              // The base table, consistently: an imported session has no expiry to end it.
              KeyConditionExpression: 'pk = :imported',
              ExpressionAttributeValues: { ':imported': keys.importedSessionOf(userId, '').pk },
              ProjectionExpression: 'sid',
              ConsistentRead: true,
            }
          : {
              IndexName: tables.tokens.indexes[0].name,
              KeyConditionExpression: 'gsi1pk = :user',
              FilterExpression: 'attribute_not_exists(revokedAt)',
              ExpressionAttributeValues: { ':user': keys.sessionsOfUser(userId) },
            },
        at,
        sweep,
      ),
    // The base table, consistently: every session written before this call is listed.
    revokeClientSessions: (clientId, at) =>
      revokeListedSessions(
        db,
        names.tokens,
        {
          KeyConditionExpression: 'pk = :client',
          ExpressionAttributeValues: { ':client': keys.sessionOfClient(clientId, '').pk },
          ProjectionExpression: 'sid',
          ConsistentRead: true,
        },
        at,
      ),

    ...createDynamoLoginFailures(db, names.tokens),

    getPublishedKeys: () => readPublishedKeys(db, names.tokens),
    publishKeys: (generation, published) => publishKeys(db, names.tokens, generation, published),
  };
};
