import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { projectionOf, projections } from './item-access';
import { parsePublishedKeys } from './published-keys';
import { keys } from './schema';

/**
 * The published keys, for discovery and the token-signing functions: only `generation` and
 * `jwks`, since discovery's IAM grant allows no other read (src/store/item-access.ts).
 */
export const readPublishedKeys = async (db: DynamoDBDocumentClient, table: string) => {
  const { Item } = await db.send(
    new GetCommand({
      TableName: table,
      Key: keys.publishedKeys(),
      ...projectionOf(projections.publishedKeys),
      ConsistentRead: true,
    }),
  );
  return Item ? parsePublishedKeys(Item) : null;
};
