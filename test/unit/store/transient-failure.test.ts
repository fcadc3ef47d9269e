import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isTransientFailure } from '../../../src/store/transient-failure';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    ...metadata(400),
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('isTransientFailure: a dependency down, slow or busy, not a refusal of what was asked', () => {
  it.each<[string, unknown]>([
    [
      'throttling',
      new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata(400) }),
    ],
    ['ThrottlingException', Object.assign(new Error('x'), { name: 'ThrottlingException' })],
    ['a 500', Object.assign(new Error('x'), { name: 'InternalServerError', ...metadata(500) })],
    ['a 503', Object.assign(new Error('x'), { name: 'ServiceUnavailable', ...metadata(503) })],
    ['a timeout', Object.assign(new Error('x'), { name: 'TimeoutError' })],
    ['an abort', Object.assign(new Error('x'), { name: 'AbortError' })],
    ['a refused connection', Object.assign(new Error('x'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('x'), { code: 'ECONNRESET' })],
    ['a transaction cancelled by throttling', cancelled('None', 'ThrottlingError')],
  ])('%s is transient', (_, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each<[string, unknown]>([
    [
      'a failed condition',
      new ConditionalCheckFailedException({ message: 'no', ...metadata(400) }),
    ],
    [
      'a transaction with a failed condition',
      cancelled('ThrottlingError', 'ConditionalCheckFailed'),
    ],
    ['a transaction lost to contention (transact retries it)', cancelled('TransactionConflict')],
    [
      'a validation error',
      Object.assign(new Error('x'), { name: 'ValidationException', ...metadata(400) }),
    ],
    [
      'access denied',
      Object.assign(new Error('x'), { name: 'AccessDeniedException', ...metadata(400) }),
    ],
    [
      'a missing table',
      Object.assign(new Error('x'), { name: 'ResourceNotFoundException', ...metadata(400) }),
    ],
    ['not an error', 'boom'],
  ])('%s passes through', (_, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});
