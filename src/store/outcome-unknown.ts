import { isThrottlingError } from '@smithy/core/retry';
import { isTransientFailure } from './transient-failure';

/** DynamoDB's single-item writes: their retry meets their own first write, if it landed. */
const SINGLE_ITEM_WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/**
 * A write whose second application differs from one: a condition (spent, marked, created once)
 * or an ADD (a counter). TransactWriteItems are not among them: the SDK's ClientRequestToken
 * makes their retry idempotent.
 */
const isNonIdempotentWrite = (commandName: string | undefined, input: unknown): boolean => {
  if (!SINGLE_ITEM_WRITES.has(commandName ?? '')) return false;
  const { ConditionExpression, UpdateExpression } = (input ?? {}) as {
    ConditionExpression?: string;
    UpdateExpression?: string;
  };
  return Boolean(ConditionExpression) || /(^|\s)ADD\s/i.test(UpdateExpression ?? '');
};

/** Errors that prove the request was not applied: refused before it was sent, or throttled. */
const provesNotApplied = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { code?: unknown }).code === 'ECONNREFUSED') return true;
  return isThrottlingError(error as Parameters<typeof isThrottlingError>[0]);
};

/**
 * A failure the SDK would retry, of a non-idempotent write, that does not prove it unapplied.
 * Invariant: a non-idempotent write is retried only after an error proving it did not apply;
 * after any other (a timeout once sent, a reset, a 5xx) its outcome is unknown, and a retry
 * would read its own landed write as "already used" or count twice.
 */
export const isOutcomeUnknown = (
  commandName: string | undefined,
  input: unknown,
  error: unknown,
): boolean =>
  isNonIdempotentWrite(commandName, input) && isTransientFailure(error) && !provesNotApplied(error);
