import fc from 'fast-check';
import { describe, it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { checkScenario, scenario } from '../support/oauth-scope-property';

const dynamo = useDynamoDbLocal();

describe('OAuth scope (property, DynamoDB Local)', () => {
  it('grants within the user’s grants, never widens on refresh, nothing unallowed to third parties', async () => {
    // One store for every run: fresh users and clients each time keep runs apart.
    const store = await dynamo.freshStore();
    await fc.assert(
      fc.asyncProperty(scenario, (run) => checkScenario(store, run)),
      { numRuns: 15 },
    );
  }, 120_000);
});
