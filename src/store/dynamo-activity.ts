import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ActivityCounts, addCounts } from '../core/activity/metrics';
import type { Store } from '../core/shared/store';
import {
  ACTIVITY_SHARDS,
  activityIncrement,
  activityShardQuery,
  countsOfItem,
} from './activity-items';

/**
 * The activity counters on DynamoDB: one UpdateItem ADD per window written (the hour's and the
 * day's, in parallel), and per chart one Query per shard, summed.
 */
export const createDynamoActivity = (
  db: DynamoDBDocumentClient,
  table: string,
): Pick<Store, 'addActivity' | 'readActivity'> => ({
  async addActivity(windows, counts) {
    await Promise.all(
      windows.map((window) =>
        db.send(new UpdateCommand({ TableName: table, ...activityIncrement(window, counts) })),
      ),
    );
  },

  async readActivity(granularity, first, last) {
    const shards = await Promise.all(
      Array.from({ length: ACTIVITY_SHARDS }, async (_, shard) => {
        const items: Record<string, unknown>[] = [];
        let after: Record<string, unknown> | undefined;
        // A shard holds one item per window: 31 at most, one page unless items grow past 1 MB.
        do {
          const page = await db.send(
            new QueryCommand({
              TableName: table,
              ...activityShardQuery(granularity, shard, first, last),
              ...(after ? { ExclusiveStartKey: after } : {}),
            }),
          );
          items.push(...(page.Items ?? []));
          after = page.LastEvaluatedKey;
        } while (after);
        return items;
      }),
    );
    const found = new Map<string, ActivityCounts>();
    for (const item of shards.flat()) {
      const start = String(item.sk);
      found.set(start, addCounts(found.get(start) ?? {}, countsOfItem(item)));
    }
    return found;
  },
});
