import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoSettings, dynamoClientConfig } from './dynamo-settings';
import { projectionOf } from './item-access';

/**
 * For the authorizer: reads one item by key, with the SDK imported and the client made on
 * the first call, so loading the function costs no SDK start-up. Always these attributes only:
 * its IAM grant allows no read without a projection (src/store/item-access.ts).
 */
export const lazyGetItem = (settings: DynamoSettings) => {
  let client: import('@aws-sdk/client-dynamodb').DynamoDBClient | undefined;
  return async (
    tableName: string,
    key: { pk: string; sk: string },
    options: { attributes: readonly string[]; consistent?: boolean },
  ): Promise<Record<string, AttributeValue> | undefined> => {
    const sdk = await import('@aws-sdk/client-dynamodb');
    client ??= new sdk.DynamoDBClient(dynamoClientConfig(settings));
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
