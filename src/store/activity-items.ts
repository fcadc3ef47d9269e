import { randomInt } from 'node:crypto';
import {
  ACTIVITY_METRICS,
  type ActivityCounts,
  type ActivityGranularity,
  type ActivityWindow,
} from '../core/activity/metrics';
import { epochSeconds } from './dynamo-shared';
import { keys } from './schema';

/**
 * Counter shards per window: each increment picks one at random, so one hot hour spreads its
 * writes over this many items (DynamoDB caps one item at about 1,000 writes a second), and a
 * page view reads this many partitions per granularity.
 */
export const ACTIVITY_SHARDS = 4;

/** The attributes a counter write may name besides the keys (its IAM grant lists these). */
export const activityTtlAttribute = 'ttl';

/** Plain values: the document client takes them as they are, the low-level one marshalled. */
export interface PlainUpdate {
  Key: { pk: string; sk: string };
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, number>;
}

/** One window's counter, in a random shard: ADD each metric (never read-then-write), SET ttl. */
export const activityIncrement = (
  window: ActivityWindow,
  counts: ActivityCounts,
  shard = randomInt(ACTIVITY_SHARDS),
): PlainUpdate => {
  const metrics = ACTIVITY_METRICS.filter((metric) => counts[metric]);
  return {
    Key: keys.activity(window.granularity, shard, window.start),
    // The ttl is the window's own (the same for every write to it), so SET is idempotent.
    UpdateExpression: `SET #ttl = :ttl ADD ${metrics.map((_, i) => `#m${i} :m${i}`).join(', ')}`,
    ExpressionAttributeNames: {
      '#ttl': activityTtlAttribute,
      ...Object.fromEntries(metrics.map((metric, i) => [`#m${i}`, metric])),
    },
    ExpressionAttributeValues: {
      ':ttl': epochSeconds(window.expiresAt),
      ...Object.fromEntries(metrics.map((metric, i) => [`:m${i}`, counts[metric] ?? 0])),
    },
  };
};

/** The Query of one shard's windows `first`..`last`, projecting the start and the counts. */
export const activityShardQuery = (
  granularity: ActivityGranularity,
  shard: number,
  first: string,
  last: string,
) => ({
  KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
  ProjectionExpression: ['sk', ...ACTIVITY_METRICS].map((_, i) => `#p${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(
    ['sk', ...ACTIVITY_METRICS].map((name, i) => [`#p${i}`, name]),
  ),
  ExpressionAttributeValues: {
    ':pk': keys.activity(granularity, shard, first).pk,
    ':first': first,
    ':last': last,
  },
});

/** A counter item's counts (the metrics it holds). */
export const countsOfItem = (item: Record<string, unknown>): ActivityCounts =>
  Object.fromEntries(
    ACTIVITY_METRICS.filter((metric) => typeof item[metric] === 'number').map((metric) => [
      metric,
      item[metric] as number,
    ]),
  );
