/**
 * Regression (red team 17): when a retry would start past the call deadline, the attempt guard
 * (gatehouseAttemptDeadline) must answer `unavailable` (503) even if it reaches the caller
 * before the deadline timer (the wall clock stepped, timers late on a loaded event loop): a
 * plain Error there is neither retried nor classed transient, so it was a 500.
 */
import {
  ListTablesCommand,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import type { HandlerExecutionContext } from '@smithy/types';
import { afterAll, expect, inject, it, vi } from 'vitest';
import { isGatehouseError } from '../../../src/core/shared/errors';
import { AWS_BUDGET } from '../../../src/store/aws-client-budget';
import { createDynamoClient } from '../../../src/store/dynamo-client';

const client = createDynamoClient({ endpoint: inject('sharedDynamoEndpoint') }, AWS_BUDGET);
let attempts = 0;
client.middlewareStack.add(
  (next, _context: HandlerExecutionContext) => async (args) => {
    attempts += 1;
    if (attempts === 1) {
      // The wall clock steps forward past the deadline during the first attempt.
      const real = Date.now;
      vi.spyOn(Date, 'now').mockImplementation(() => real() + AWS_BUDGET.callDeadlineMs + 1);
      throw new ProvisionedThroughputExceededException({
        message: 'throttled',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return next(args);
  },
  { step: 'deserialize', priority: 'high', name: 'clockStepStep' },
);
afterAll(() => {
  vi.restoreAllMocks();
  client.destroy();
});

it('a call cut short by the attempt guard is `unavailable` (503), never a bare Error (500)', async () => {
  const error = await client.send(new ListTablesCommand({})).then(
    () => null,
    (e: unknown) => e,
  );
  vi.restoreAllMocks();
  expect(attempts).toBe(1);
  expect(isGatehouseError(error) && error.code, String(error)).toBe('unavailable');
});
