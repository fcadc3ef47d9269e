import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { isGatehouseError, unavailable } from '../core/shared/errors';
import { revokeSessionItem } from './dynamo-shared';
import { queryPages } from './paged-query';
import { outsideRequestDeadline } from './request-deadline';

/** Sessions ended at once: a few dozen transactions in flight, well under the SDK's sockets. */
const SWEEP_BATCH = 25;

/**
 * Ends every session a Query lists (items carrying `sid`) but `keepSid`, and with
 * `belowVersion` only those made at an older credential version; answers how many this call
 * ended (lists keep revoked sessions until their TTL).
 */
export const revokeListedSessions = (
  db: DynamoDBDocumentClient,
  table: string,
  listing: Omit<QueryCommandInput, 'TableName'>,
  at: number,
  sweep: { keepSid?: string; belowVersion?: number } = {},
): Promise<number> =>
  // Invariant: a sweep begun is not cut off by the request's 3 s budget (thousands of sessions
  // take longer); each call keeps its own budget, the function's timeout bounds the whole.
  outsideRequestDeadline(() => sweepListed(db, table, listing, at, sweep));

const sweepListed = async (
  db: DynamoDBDocumentClient,
  table: string,
  listing: Omit<QueryCommandInput, 'TableName'>,
  at: number,
  { keepSid, belowVersion }: { keepSid?: string; belowVersion?: number },
): Promise<number> => {
  const { items } = await queryPages(db, { TableName: table, ...listing });
  const sids = items.map((item) => String(item.sid)).filter((sid) => sid !== keepSid);
  // In batches, each feed entry stamped when its batch starts (the sweep's `at` plus the time
  // since): however long the sweep, an entry lands well inside the readers' overlap.
  // Invariant: one failed session never stops the others; the caller gets one error after all.
  const started = performance.now();
  const results: PromiseSettledResult<boolean>[] = [];
  for (let first = 0; first < sids.length; first += SWEEP_BATCH) {
    const feedAt = at + Math.round(performance.now() - started);
    results.push(
      ...(await Promise.allSettled(
        sids
          .slice(first, first + SWEEP_BATCH)
          .map((sid) => revokeSessionItem(db, table, sid, at, belowVersion, feedAt)),
      )),
    );
  }
  const failed = results.filter((result) => result.status === 'rejected');
  if (failed.length) {
    const summary = `${failed.length} of ${sids.length} sessions could not be ended`;
    // An outage answers 503 with Retry-After: the caller repeats and the sweep goes on.
    if (failed.some(({ reason }) => isGatehouseError(reason) && reason.code === 'unavailable')) {
      throw unavailable(`Ending sessions (${summary})`);
    }
    throw new AggregateError(
      failed.map((result) => result.reason),
      `${failed.length} of ${sids.length} sessions could not be ended; repeat the request`,
    );
  }
  return results.filter((result) => result.status === 'fulfilled' && result.value).length;
};
