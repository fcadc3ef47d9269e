import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Revocation } from '../core/shared/store';
import type { LazyDynamo } from './lazy-dynamo-client';
import { allRevocationShards, revocationOf, revocationQuery } from './revocation-feed';

/**
 * For the authorizer: the sessions ended since `since`, one consistent Query per feed shard
 * (in parallel, each paged past 1 MB), through its shared lazy client. Its IAM grant allows a
 * Query of the `REVOKED#*` partitions only (src/store/item-access.ts).
 */
export const revocationFeedReader = (dynamo: LazyDynamo, tableName: string) => {
  const readShard = async (shard: number, since: number): Promise<Revocation[]> => {
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
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) if (item.sk?.S) found.push(revocationOf(item.sk.S));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  };
  return async (since: number): Promise<Revocation[]> =>
    (await Promise.all(allRevocationShards.map((shard) => readShard(shard, since)))).flat();
};
