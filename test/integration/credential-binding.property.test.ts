import { describe, it } from 'vitest';
import { credentialBindingProperty } from '../support/credential-binding-property';
import { useDynamoDbLocal } from '../support/dynamodb';

const dynamo = useDynamoDbLocal();

describe('credential binding (DynamoDB Local)', () => {
  it('a client-bound refresh token works only for its existing client, at /oauth/token; refusals change nothing', async () => {
    // One store for every run: ids are random, so runs never meet; fewer runs than in memory.
    const store = await dynamo.freshStore();
    await credentialBindingProperty(async () => store, { numRuns: 15, maxOps: 25 });
  }, 120_000);
});
