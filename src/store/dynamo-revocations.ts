import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../core/shared/store';
import { queryPages } from './paged-query';
import { allRevocationShards, revocationOf, revocationQuery } from './revocation-feed';

/** The revocation feed read through the store (tests, tools): the authorizer's Queries. */
export const createDynamoRevocations = (
  db: DynamoDBDocumentClient,
  table: string,
): Pick<Store, 'revocationsSince'> => ({
  async revocationsSince(since) {
    const shards = await Promise.all(
      allRevocationShards.map((shard) => {
        const { values, ...query } = revocationQuery(shard, since);
        return queryPages(db, { TableName: table, ...query, ExpressionAttributeValues: values });
      }),
    );
    return shards.flatMap(({ items }) => items.map((item) => revocationOf(String(item.sk))));
  },
});
