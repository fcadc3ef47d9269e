import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { positionOf } from './dynamo-shared';
import type { Item } from './items';

interface PagedQueryLimits {
  /** Enough once more than this many items are found (the extra one says a next page exists). */
  limit?: number;
  /** At most this many requests: a filter that drops most items ends the page early instead. */
  maxRounds?: number;
}

/**
 * The one Query loop: continues past DynamoDB's 1 MB page (and past items a filter dropped)
 * until it holds `limit + 1` items, has sent `maxRounds` requests or reached the end. Without
 * limits it reads every item. `lastKey` is where it stopped (undefined at the end).
 */
export const queryPages = async (
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  { limit = Number.POSITIVE_INFINITY, maxRounds = Number.POSITIVE_INFINITY }: PagedQueryLimits = {},
): Promise<{ items: Item[]; lastKey: Item | undefined }> => {
  const items: Item[] = [];
  let lastKey = input.ExclusiveStartKey;
  for (let round = 0; round < maxRounds && items.length <= limit; round++) {
    const result = await db.send(
      new QueryCommand({
        ...input,
        ...(Number.isFinite(limit) ? { Limit: limit + 1 - items.length } : {}),
        ...(lastKey ? { ExclusiveStartKey: lastKey } : {}),
      }),
    );
    items.push(...(result.Items ?? []));
    lastKey = result.LastEvaluatedKey;
    if (!lastKey) break;
  }
  return { items, lastKey };
};

/**
 * A page of at most `limit` of what queryPages found, and where the next one starts: after its
 * last item while more were found, or where the reading stopped (queryPages' maxRounds, past
 * items a filter dropped) while the index goes on, so a short page never hides later items.
 */
export const pageOfFound = (
  found: { items: Item[]; lastKey: Item | undefined },
  limit: number,
  positionAttributes: readonly string[],
): { items: Item[]; next: Record<string, string> | null } => {
  const items = found.items.slice(0, limit);
  const resume = found.items.length > limit ? items.at(-1) : found.lastKey;
  return { items, next: resume ? positionOf(resume, positionAttributes) : null };
};
