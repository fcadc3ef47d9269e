import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mergeJwks, type PublicJwk } from '../core/tokens/signing-keys';
import { readPublishedKeys } from './dynamo-published-keys';
import { isConditionFailure } from './dynamo-shared';
import { keys } from './schema';

const MERGE_ATTEMPTS = 5;

/**
 * Publishes the public keys unless a newer generation is published (a stale set never shrinks
 * the JWKS). Invariant under races: the JWKS holds every key that signs now or later, so a
 * same-generation publish (a cold start's set and a rotation's) merges into the item rather
 * than replacing it, conditioned on the JWKS it read. An UpdateItem of `generation` and `jwks`
 * only, so the key rotation's IAM item grant (src/store/item-access.ts) can allow this write.
 */
export const publishKeys = async (
  db: DynamoDBDocumentClient,
  table: string,
  generation: number,
  published: PublicJwk[],
): Promise<void> => {
  const names = { '#generation': 'generation', '#jwks': 'jwks' };
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.publishedKeys(),
        UpdateExpression: 'SET #generation = :generation, #jwks = :jwks',
        ConditionExpression: 'attribute_not_exists(#generation) OR #generation < :generation',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':generation': generation,
          ':jwks': JSON.stringify(published),
        },
      }),
    );
    return;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
    const held = await readPublishedKeys(db, table);
    if (!held || held.generation !== generation) return;
    const merged = mergeJwks(held.keys, published);
    if (merged.length === held.keys.length) return;
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.publishedKeys(),
          UpdateExpression: 'SET #jwks = :jwks',
          ConditionExpression: '#generation = :generation AND #jwks = :held',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':generation': generation,
            ':jwks': JSON.stringify(merged),
            ':held': JSON.stringify(held.keys),
          },
        }),
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  throw new Error('The published keys kept changing: publish again.');
};
