import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../core/shared/store';
import type { TableNames } from './dynamo-settings';
import { epochSeconds, failedConditions, notExists, transact } from './dynamo-shared';
import { keys } from './schema';

/**
 * Store.renewSession on DynamoDB: one transaction, so a step-up never revives a session that
 * ended meanwhile nor outlives a credential change (the same guards as createSession).
 */
export const renewDynamoSession = async (
  db: DynamoDBDocumentClient,
  names: TableNames,
  request: Parameters<Store['renewSession']>[0],
): Promise<boolean> => {
  const { refresh, credentialVersion } = request;
  const generation = refresh.generation ?? 1;
  const { usedAt: _unused, ...refreshFields } = refresh;
  try {
    await transact(db, [
      {
        Update: {
          TableName: names.tokens,
          Key: keys.session(refresh.sid),
          // The generation the caller read: a renewal in between makes this one stale.
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(revokedAt) AND userId = :u AND expiresAt > :now AND ${
            generation === 1
              ? '(attribute_not_exists(refreshGeneration) OR refreshGeneration = :before)'
              : 'refreshGeneration = :before'
          }`,
          // A renewal is a use of the session: its last use rides on the same write.
          UpdateExpression:
            'SET authTime = :at, amr = :amr, refreshGeneration = :g, lastUsedAt = :now',
          ExpressionAttributeValues: {
            ':u': refresh.userId,
            ':now': refresh.createdAt,
            ':at': request.authTime,
            ':amr': request.amr,
            ':g': generation,
            ':before': generation - 1,
          },
        },
      },
      {
        ConditionCheck: {
          TableName: names.users,
          Key: keys.user(refresh.userId),
          // Absent on users stored before versions: version 0.
          ConditionExpression:
            credentialVersion === 0
              ? 'attribute_exists(pk) AND (attribute_not_exists(credentialVersion) OR credentialVersion = :v)'
              : 'credentialVersion = :v',
          ExpressionAttributeValues: { ':v': credentialVersion },
        },
      },
      {
        Put: {
          TableName: names.tokens,
          Item: {
            ...keys.refresh(refresh.hash),
            ...refreshFields,
            ttl: epochSeconds(refresh.expiresAt),
          },
          ConditionExpression: notExists,
        },
      },
      {
        Delete: {
          TableName: names.tokens,
          Key: keys.loginFailures(request.clearLoginFailures),
        },
      },
    ]);
    return true;
  } catch (error) {
    if (failedConditions(error)?.length) return false;
    throw error;
  }
};
