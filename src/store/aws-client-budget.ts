import { StandardRetryStrategy } from '@smithy/core/retry';
import type {
  HandlerExecutionContext,
  MetadataBearer,
  MiddlewareStack,
  StandardRetryBackoffStrategy,
} from '@smithy/types';
import { unavailable } from '../core/shared/errors';
import { isOutcomeUnknown } from './outcome-unknown';
import { requestTimeLeft } from './request-deadline';
import { isTransientFailure } from './transient-failure';

/** How long an AWS client waits, per attempt and per call, and how often it tries. */
export interface FaultBudget {
  connectTimeoutMs: number;
  /** One attempt, connection included. */
  attemptTimeoutMs: number;
  /** The whole call: every attempt and every backoff. */
  callDeadlineMs: number;
  maxAttempts: number;
  /** The whole request (request-deadline.ts): no call outlives it; absent: no such bound. */
  requestDeadlineMs?: number;
}

/**
 * On AWS: every call ends within 2.5 s, all attempts and backoff included, so a route whose
 * dependency fails answers 503 within 3 s (API.md, Errors). An attempt may take 1.5 s, far
 * beyond DynamoDB's milliseconds, so a slow but live service still answers; a frozen one gets
 * a second attempt before the deadline; a blip (throttling, a reset) is ridden out by three.
 */
export const AWS_BUDGET: FaultBudget = {
  connectTimeoutMs: 500,
  attemptTimeoutMs: 1500,
  callDeadlineMs: 2500,
  maxAttempts: 3,
  // A slow call then a frozen one, or a cold start's secret read then a DynamoDB call, still
  // answer 503 within 3 s of the request's arrival.
  requestDeadlineMs: 2700,
};

/**
 * Beside a local emulator (DynamoDB Local, the SES and Secrets Manager emulators): the same
 * shape, longer, because a JVM's first transaction on a new table takes seconds on a busy
 * laptop or CI runner. Still never a hang; the fault tests use AWS_BUDGET on DynamoDB Local.
 */
export const EMULATOR_BUDGET: FaultBudget = {
  connectTimeoutMs: 1000,
  attemptTimeoutMs: 5000,
  callDeadlineMs: 8000,
  maxAttempts: 3,
};

/** The budget for a client: an endpoint is set only for a local emulator. */
export const budgetFor = (endpoint: string | undefined): FaultBudget =>
  endpoint ? EMULATOR_BUDGET : AWS_BUDGET;

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

/**
 * The fault budget of an AWS SDK client's configuration: timeouts on each attempt (thrown, not
 * just warned about) and the SDK's standard retry strategy with bounded attempts. Each client
 * gets its own strategy, as it keeps the client's retry capacity.
 */
export const budgetedClientConfig = (budget: FaultBudget = AWS_BUDGET) => ({
  maxAttempts: budget.maxAttempts,
  retryStrategy: new StandardRetryStrategy({
    maxAttempts: budget.maxAttempts,
    baseDelay: BACKOFF_BASE_MS,
    backoff: cappedFullJitter(),
  }),
  requestHandler: {
    connectionTimeout: budget.connectTimeoutMs,
    requestTimeout: budget.attemptTimeoutMs,
    throwOnRequestTimeout: true,
  },
});

/** Any SDK client: what the budget's middlewares are added to. */
interface SdkClient {
  // biome-ignore lint/suspicious/noExplicitAny: every client's own input union is accepted.
  middlewareStack: MiddlewareStack<any, MetadataBearer>;
}

const DEADLINE = 'gatehouseDeadline';

/**
 * Making tables (the local server, tests) is on no request's path and may take seconds on
 * DynamoDB Local: no deadline (create-tables.ts gives each attempt its own time too).
 */
const TABLE_ADMINISTRATION = new Set([
  'CreateTableCommand',
  'UpdateTimeToLiveCommand',
  'DeleteTableCommand',
]);

/**
 * `unavailable` for an attempt given up inside the retries: the reason is kept beside, not as
 * `cause`, which the SDK's retry classification follows (a transient cause would be retried).
 */
const givenUp = (what: string, reason: unknown) =>
  Object.assign(unavailable(what), { givenUpOn: reason });

class DeadlineExceeded extends Error {
  // The SDK reads this name as a transient timeout, so it becomes `unavailable` below.
  override readonly name = 'TimeoutError';
}

/**
 * Bounds every call of `client` by the budget's deadline and turns a transient failure, seen after
 * the SDK's retries, into the domain's `unavailable` (503 with Retry-After); anything else
 * (a failed condition, a validation error) passes through untouched. Returns the client.
 */
export const withFaultBudget = <C extends SdkClient>(
  client: C,
  what: string,
  { callDeadlineMs, requestDeadlineMs }: FaultBudget = AWS_BUDGET,
): C => {
  client.middlewareStack.add(
    (next, context: HandlerExecutionContext) => async (args) => {
      if (TABLE_ADMINISTRATION.has(context.commandName ?? '')) return next(args);
      // Invariant: a call ends by its own deadline and by its request's, whichever is first.
      const allowedMs = Math.max(0, Math.min(callDeadlineMs, requestTimeLeft(requestDeadlineMs)));
      context[DEADLINE] = Date.now() + allowedMs;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, fail) => {
        timer = setTimeout(
          () => fail(new DeadlineExceeded(`no answer within ${allowedMs} ms`)),
          allowedMs,
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
      // No attempt starts once the call has given up: a late write would land unanswered. It
      // is `unavailable` itself (503), never retried, whichever of it and the timer wins.
      if (Date.now() >= (context[DEADLINE] as number)) {
        throw givenUp(
          what,
          new DeadlineExceeded('The call deadline has passed; no further attempt.'),
        );
      }
      try {
        return await next(args);
      } catch (error) {
        // Not retried: `unavailable` (503) is no error the SDK retries (outcome-unknown.ts).
        if (isOutcomeUnknown(context.commandName, args.input, error)) {
          throw givenUp(what, error);
        }
        throw error;
      }
    },
    // Inside the retry middleware: runs around each attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'gatehouseAttemptDeadline', override: true },
  );
  return client;
};
