import type { PublicJwk } from '../core/signing-keys';
import { type DynamoSettings, dynamoClientConfig } from './dynamo-settings';
import { keys } from './schema';

/** The published public keys are kept as one JSON string, readable without the document client. */
export const parsePublishedKeys = (item: Record<string, unknown>) => ({
  generation: Number(item.generation),
  keys: JSON.parse(String(item.jwks ?? '[]')) as PublicJwk[],
});

/**
 * For the authorizer: reads the published keys with the SDK imported only on first call, so
 * loading the function costs no SDK start-up.
 */
export const publishedKeysReader = (settings: DynamoSettings, tableName: string) => {
  let client: import('@aws-sdk/client-dynamodb').DynamoDBClient | undefined;
  return async (): Promise<PublicJwk[]> => {
    const sdk = await import('@aws-sdk/client-dynamodb');
    client ??= new sdk.DynamoDBClient(dynamoClientConfig(settings));
    const { pk, sk } = keys.publishedKeys();
    const result = await client.send(
      new sdk.GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    if (!item) return [];
    return parsePublishedKeys({ generation: item.generation?.N, jwks: item.jwks?.S }).keys;
  };
};
