import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PublicJwk } from '../core/tokens/signing-keys';
import { isConditionFailure } from './dynamo-shared';
import { keys } from './schema';

/**
 * Publishes the public keys unless a newer generation is published (a stale set never
 * shrinks the JWKS). An UpdateItem of `generation` and `jwks` only, so the key rotation's IAM
 * item grant (src/store/item-access.ts) can allow exactly this write.
 */
export const publishKeys = async (
  db: DynamoDBDocumentClient,
  table: string,
  generation: number,
  published: PublicJwk[],
): Promise<void> => {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.publishedKeys(),
        UpdateExpression: 'SET #generation = :generation, #jwks = :jwks',
        ConditionExpression: 'attribute_not_exists(#generation) OR #generation <= :generation',
        ExpressionAttributeNames: { '#generation': 'generation', '#jwks': 'jwks' },
        ExpressionAttributeValues: {
          ':generation': generation,
          ':jwks': JSON.stringify(published),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};
