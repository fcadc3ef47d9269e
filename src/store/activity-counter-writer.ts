import type { ActivityCounts, ActivityWindow } from '../core/activity/metrics';
import { activityIncrement } from './activity-items';
import type { LazyDynamo } from './lazy-dynamo-client';

/**
 * The authorizer's activity counter writes (low-level client, SDK loaded on first use): the
 * same UpdateItem ADD as the store's, naming only what its grant allows (item-access.ts).
 */
export const activityCounterWriter =
  (lazyDynamo: LazyDynamo, table: string) =>
  async (windows: readonly ActivityWindow[], counts: ActivityCounts): Promise<void> => {
    const [{ sdk, client }, util] = await Promise.all([
      lazyDynamo(),
      import('@aws-sdk/util-dynamodb'),
    ]);
    await Promise.all(
      windows.map((window) => {
        const update = activityIncrement(window, counts);
        return client.send(
          new sdk.UpdateItemCommand({
            TableName: table,
            Key: util.marshall(update.Key),
            UpdateExpression: update.UpdateExpression,
            ExpressionAttributeNames: update.ExpressionAttributeNames,
            ExpressionAttributeValues: util.marshall(update.ExpressionAttributeValues),
          }),
        );
      }),
    );
  };
