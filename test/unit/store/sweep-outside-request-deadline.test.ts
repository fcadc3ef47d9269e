import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { AWS_BUDGET, withFaultBudget } from '../../../src/store/aws-client-budget';
import { asRequest } from '../../../src/store/request-deadline';
import { revokeListedSessions } from '../../../src/store/revoke-listed-sessions';

/** A DynamoDB answering every call after `ms`: a Query lists `sessions` sids. */
const slowDynamo = (sessions: number, ms: number) => {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  client.middlewareStack.add(
    (_next, context) => async () => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      const output =
        context.commandName === 'QueryCommand'
          ? {
              Items: Array.from({ length: sessions }, (_, i) => ({ sid: { S: `s${i}` } })),
              $metadata: {},
            }
          : { $metadata: {} };
      return { output, response: {} } as never;
    },
    { step: 'build', name: 'slowDynamo' },
  );
  return DynamoDBDocumentClient.from(withFaultBudget(client, 'DynamoDB', AWS_BUDGET));
};

it('ends every listed session even when the request that began the sweep has no time left', async () => {
  const db = slowDynamo(750, 10);
  // 100 ms of the request's budget left; 30 batches of 10 ms each need three times that.
  const ended = await asRequest(
    () =>
      revokeListedSessions(
        db,
        'T',
        { KeyConditionExpression: 'pk = :c', ExpressionAttributeValues: { ':c': 'x' } },
        Date.now(),
      ),
    Date.now() - 2_600,
  );
  expect(ended).toBe(750);
}, 30_000);
