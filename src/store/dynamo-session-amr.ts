import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sessionAmr } from '../core/sessions/session-facts';
import type { SessionRecord } from '../core/shared/store';
import type { TableNames } from './dynamo-settings';
import { isConditionFailure } from './dynamo-shared';
import { keys } from './schema';

/**
 * Store.addSessionAmr on DynamoDB: one conditional update of the session item only (its refresh
 * tokens untouched), guarded on the session live and its amr still as read, so a concurrent
 * renewal's methods are never overwritten (it then reads again).
 */
export const addDynamoSessionAmr = async (
  db: DynamoDBDocumentClient,
  names: TableNames,
  read: (sid: string) => Promise<SessionRecord | null>,
  request: { sid: string; values: string[]; at: number },
): Promise<boolean> => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const session = await read(request.sid);
    if (!session || session.revokedAt !== null || session.expiresAt <= request.at) return false;
    const amr = [...new Set([...sessionAmr(session), ...request.values])];
    try {
      await db.send(
        new UpdateCommand({
          TableName: names.tokens,
          Key: keys.session(request.sid),
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(revokedAt) AND expiresAt > :at AND ${
            session.amr ? 'amr = :before' : 'attribute_not_exists(amr)'
          }`,
          UpdateExpression: 'SET amr = :amr',
          ExpressionAttributeValues: {
            ':at': request.at,
            ':amr': amr,
            ...(session.amr ? { ':before': session.amr } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return false;
};
