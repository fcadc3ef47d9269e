import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/** A cancelled transaction's reasons that say "too busy", not "your condition failed". */
const THROTTLED_REASONS = new Set([
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

/**
 * A cancelled transaction that failed only because DynamoDB was busy. A reason of
 * `ConditionalCheckFailed` is the caller's answer (a conflict), and `TransactionConflict` is
 * contention that `transact` retries itself (dynamo-shared.ts): neither is a fault.
 */
const isThrottledTransaction = (error: { name?: unknown; CancellationReasons?: unknown }) => {
  if (error.name !== 'TransactionCanceledException') return false;
  const codes = ((error.CancellationReasons ?? []) as { Code?: string }[])
    .map((reason) => reason.Code ?? 'None')
    .filter((code) => code !== 'None');
  return codes.length > 0 && codes.every((code) => THROTTLED_REASONS.has(code));
};

/**
 * An AWS call failed because the dependency was down, slow or busy (throttling, timeouts,
 * aborts, refused or reset connections, 5xx), as the SDK's own retry classification judges it,
 * not because of what was asked (a failed condition, a validation error, access denied).
 */
export const isTransientFailure = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return (
    sdkError.name === 'AbortError' ||
    // A retried transaction still running under its ClientRequestToken (AWS: retry shortly).
    sdkError.name === 'TransactionInProgressException' ||
    isThrottlingError(sdkError) ||
    isTransientError(sdkError) ||
    isServerError(sdkError) ||
    isThrottledTransaction(sdkError as { name?: unknown; CancellationReasons?: unknown })
  );
};
