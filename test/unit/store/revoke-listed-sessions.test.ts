import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { revokeListedSessions } from '../../../src/store/revoke-listed-sessions';

it('a sweep ends every other session when one transaction fails, then reports the failure', async () => {
  const sids = Array.from({ length: 60 }, (_, i) => `s${i}`);
  const attempted: string[] = [];
  // A client answering the sweep's two commands: the listing and one transaction per session.
  const db = {
    send: async (command: unknown) => {
      if (command instanceof QueryCommand) return { Items: sids.map((sid) => ({ sid })) };
      if (command instanceof TransactWriteCommand) {
        const items = command.input.TransactItems ?? [];
        const sid = String(items[0]?.Update?.Key?.pk).replace(/^[^#]*#/, '');
        attempted.push(sid);
        // A transient failure that outlived the SDK's retries (throttling, a 500).
        if (sid === 's3') {
          throw Object.assign(new Error('Throughput exceeds the current capacity'), {
            name: 'ThrottlingException',
          });
        }
        return {};
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  } as unknown as DynamoDBDocumentClient;
  const sweep = revokeListedSessions(
    db,
    'tokens',
    { KeyConditionExpression: 'gsi1pk = :u', ExpressionAttributeValues: { ':u': 'x' } },
    Date.UTC(2026, 0, 1),
  );
  await expect(sweep).rejects.toThrow('1 of 60 sessions could not be ended');
  expect(attempted).toHaveLength(60);
});
