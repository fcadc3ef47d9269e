import { StandardRetryStrategy } from '@smithy/core/retry';
import type {
  HandlerExecutionContext,
  MetadataBearer,
  MiddlewareStack,
  StandardRetryBackoffStrategy,
} from '@smithy/types';
import { unavailable } from '../core/shared/errors';
import { isTransientFailure } from './transient-failure';

/**
 * Every AWS call Gatehouse makes ends within this, all attempts and backoff included, so a
 * route whose dependency fails answers 503 within 3 s (API.md, Errors).
 */
export const CALL_DEADLINE_MS = 2500;
/** One attempt: the TCP (and TLS) connection, then the whole request. */
export const CONNECT_TIMEOUT_MS = 500;
export const ATTEMPT_TIMEOUT_MS = 1000;
/** The first attempt and two retries: a blip is ridden out, an outage answered in time. */
export const MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 50;
/** No single wait past this, even after throttling (whose base the SDK sets to 500 ms). */
const BACKOFF_CAP_MS = 250;

/** The SDK's exponential backoff with full jitter, capped so the retries fit the deadline. */
const cappedFullJitter = (): StandardRetryBackoffStrategy => {
  let base = BACKOFF_BASE_MS;
  return {
    setDelayBase: (delay) => {
      base = delay;
    },
    computeNextBackoffDelay: (retries) =>
      Math.floor(Math.random() * Math.min(BACKOFF_CAP_MS, base * 2 ** retries)),
  };
};

/** A client whose calls must be cheaper still (the mail queue's) narrows these; never widens. */
interface AttemptBounds {
  maxAttempts: number;
  connectTimeoutMs: number;
  attemptTimeoutMs: number;
}

/**
 * The fault budget of an AWS SDK client's configuration: timeouts on each attempt (thrown, not
 * just warned about) and the SDK's standard retry strategy with bounded attempts. Each client
 * gets its own strategy, as it keeps the client's retry capacity.
 */
export const budgetedClientConfig = ({
  maxAttempts = MAX_ATTEMPTS,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
  attemptTimeoutMs = ATTEMPT_TIMEOUT_MS,
}: Partial<AttemptBounds> = {}) => ({
  maxAttempts,
  retryStrategy: new StandardRetryStrategy({
    maxAttempts,
    baseDelay: BACKOFF_BASE_MS,
    backoff: cappedFullJitter(),
  }),
  requestHandler: {
    connectionTimeout: connectTimeoutMs,
    requestTimeout: attemptTimeoutMs,
    throwOnRequestTimeout: true,
  },
});

/** Any SDK client: what the budget's middlewares are added to. */
interface SdkClient {
  // biome-ignore lint/suspicious/noExplicitAny: every client's own input union is accepted.
  middlewareStack: MiddlewareStack<any, MetadataBearer>;
}

const DEADLINE = 'gatehouseDeadline';

class DeadlineExceeded extends Error {
  // The SDK reads this name as a transient timeout, so it becomes `unavailable` below.
  override readonly name = 'TimeoutError';
}

/**
 * Bounds every call of `client` by CALL_DEADLINE_MS and turns a transient failure, seen after
 * the SDK's retries, into the domain's `unavailable` (503 with Retry-After); anything else
 * (a failed condition, a validation error) passes through untouched. Returns the client.
 */
export const withFaultBudget = <C extends SdkClient>(client: C, what: string): C => {
  client.middlewareStack.add(
    (next, context: HandlerExecutionContext) => async (args) => {
      context[DEADLINE] = Date.now() + CALL_DEADLINE_MS;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, fail) => {
        timer = setTimeout(
          () => fail(new DeadlineExceeded(`no answer within ${CALL_DEADLINE_MS} ms`)),
          CALL_DEADLINE_MS,
        );
      });
      try {
        return await Promise.race([next(args), expired]);
      } catch (error) {
        if (!isTransientFailure(error)) throw error;
        throw Object.assign(unavailable(what), { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },
    // Outermost: it sees the error after the SDK's retries, and the whole call's time.
    { step: 'initialize', priority: 'high', name: 'gatehouseFaultBudget', override: true },
  );
  client.middlewareStack.add(
    (next, context: HandlerExecutionContext) => async (args) => {
      // No attempt starts once the call has given up: a late write would land unanswered.
      if (Date.now() >= (context[DEADLINE] as number)) {
        throw new Error('The call deadline has passed; no further attempt.');
      }
      return next(args);
    },
    // Inside the retry middleware: runs before each attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'gatehouseAttemptDeadline', override: true },
  );
  return client;
};
