import { describe, it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { importedRefreshProperty } from '../support/imported-refresh-property';
import { propertyRuns } from '../support/property-runs';

const dynamo = useDynamoDbLocal();

describe('imported refresh credentials (DynamoDB Local)', () => {
  it('a users.json refresh_token works iff it is the row’s current value and nothing ended it since; always the current role', async () => {
    // One store for every run: emails and values are random, so runs never meet.
    const store = await dynamo.freshStore();
    await importedRefreshProperty(async () => store, { numRuns: propertyRuns(15), maxOps: 25 });
  }, 240_000);
});
