import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { projectionOf } from './item-access';
import type { LazyDynamo } from './lazy-dynamo-client';

/**
 * For the authorizer: reads one item by key through its shared lazy client (lazy-dynamo-client.ts).
 * Always these attributes only: its IAM grant allows no read without a projection
 * (src/store/item-access.ts).
 */
export const lazyGetItem = (dynamo: LazyDynamo) => {
  return async (
    tableName: string,
    key: { pk: string; sk: string },
    options: { attributes: readonly string[]; consistent?: boolean },
  ): Promise<Record<string, AttributeValue> | undefined> => {
    const { sdk, client } = await dynamo();
    const { Item } = await client.send(
      new sdk.GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
        ...projectionOf(options.attributes),
        ConsistentRead: options.consistent ?? false,
      }),
    );
    return Item;
  };
};
