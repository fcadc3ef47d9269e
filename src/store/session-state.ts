import { type DynamoSettings, dynamoClientConfig } from './dynamo-settings';
import { keys } from './schema';

/**
 * For the authorizer: whether a session has ended, with the SDK imported on first call (the
 * function loads without it). A missing or expired session counts as ended.
 */
export const sessionRevocationReader = (settings: DynamoSettings, tableName: string) => {
  let client: import('@aws-sdk/client-dynamodb').DynamoDBClient | undefined;
  return async (sid: string): Promise<boolean> => {
    const sdk = await import('@aws-sdk/client-dynamodb');
    client ??= new sdk.DynamoDBClient(dynamoClientConfig(settings));
    const { pk, sk } = keys.session(sid);
    const { Item } = await client.send(
      new sdk.GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ProjectionExpression: 'revokedAt, expiresAt',
        ConsistentRead: true,
      }),
    );
    if (!Item || Item.revokedAt) return true;
    return Number(Item.expiresAt?.N ?? 0) <= Date.now();
  };
};
