import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { revokeSessionItem } from './dynamo-shared';
import { queryPages } from './paged-query';

/**
 * Ends every session a Query lists (items carrying `sid`) but `keepSid`, and with
 * `belowVersion` only those made at an older credential version; answers how many this call
 * ended (lists keep revoked sessions until their TTL).
 */
export const revokeListedSessions = async (
  db: DynamoDBDocumentClient,
  table: string,
  listing: Omit<QueryCommandInput, 'TableName'>,
  at: number,
  { keepSid, belowVersion }: { keepSid?: string; belowVersion?: number } = {},
): Promise<number> => {
  const { items } = await queryPages(db, { TableName: table, ...listing });
  const sids = items.map((item) => String(item.sid)).filter((sid) => sid !== keepSid);
  const ended = await Promise.all(
    sids.map((sid) => revokeSessionItem(db, table, sid, at, belowVersion)),
  );
  return ended.filter(Boolean).length;
};
