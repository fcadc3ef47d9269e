import { describe, it } from 'vitest';
import { delegationProperty } from '../support/delegation-property';
import { useDynamoDbLocal } from '../support/dynamodb';

const dynamo = useDynamoDbLocal();

describe('delegated callers and consent withdrawal (DynamoDB Local)', () => {
  it('third-party codes and refreshes live only with the consent; delegated callers never mint nor sign out everywhere', async () => {
    // One store for every run: ids are random, so runs never meet; fewer runs than in memory.
    const store = await dynamo.freshStore();
    await delegationProperty(async () => store, { numRuns: 15, maxOps: 25 });
  }, 180_000);
});
