import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Revocation } from '../core/shared/store';
import type { TruncatedFeedRead } from '../http/revocation-view';
import type { LazyDynamo } from './lazy-dynamo-client';
import { allRevocationShards, revocationOf, revocationQuery } from './revocation-feed';

/** Entries read per shard at most (4 shards: the view's 200,000 cap); past it coverage narrows. */
const SHARD_READ_LIMIT = 50_000;

/**
 * For the authorizer: the sessions ended since `since`, one consistent Query per feed shard
 * (in parallel, each paged past 1 MB, newest first), through its shared lazy client. A shard
 * with more than `limit` entries is cut at its newest `limit`: the read then covers only from
 * just after the oldest entry kept (older tokens fall back to a session read), never fails.
 * Its IAM grant allows a Query of the `REVOKED#*` partitions only (src/store/item-access.ts).
 */
export const revocationFeedReader = (
  dynamo: LazyDynamo,
  tableName: string,
  limit = SHARD_READ_LIMIT,
) => {
  /** The shard's entries, and the time they cover from when the limit cut them. */
  const readShard = async (shard: number, since: number) => {
    const { sdk, client } = await dynamo();
    const query = revocationQuery(shard, since);
    const found: Revocation[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new sdk.QueryCommand({
          TableName: tableName,
          KeyConditionExpression: query.KeyConditionExpression,
          ExpressionAttributeValues: {
            ':pk': { S: query.values[':pk'] },
            ':from': { S: query.values[':from'] },
          },
          ProjectionExpression: query.ProjectionExpression,
          ConsistentRead: query.ConsistentRead,
          ScanIndexForward: false,
          Limit: limit - found.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) if (item.sk?.S) found.push(revocationOf(item.sk.S));
      start = page.LastEvaluatedKey;
    } while (start && found.length < limit);
    // Entries sharing the oldest kept millisecond may be missing: cover from just after it.
    const cutFrom = start ? (found.at(-1) as Revocation).at + 1 : null;
    return { found, cutFrom };
  };
  return async (since: number): Promise<Revocation[] | TruncatedFeedRead> => {
    const shards = await Promise.all(allRevocationShards.map((shard) => readShard(shard, since)));
    const entries = shards.flatMap(({ found }) => found);
    const cuts = shards.flatMap(({ cutFrom }) => (cutFrom === null ? [] : [cutFrom]));
    return cuts.length ? { entries, coveredFrom: Math.max(...cuts) } : entries;
  };
};
