import fc from 'fast-check';
import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { checkIdTokenSteps, idTokenSteps } from '../support/id-token-audience-property';

const dynamo = useDynamoDbLocal();

it('an ID token names only the client that redeemed the grant (DynamoDB Local)', async () => {
  // One store for every run: fresh users and clients each time keep runs apart.
  const store = await dynamo.freshStore();
  await fc.assert(
    fc.asyncProperty(idTokenSteps, (steps) => checkIdTokenSteps(store, steps)),
    { numRuns: 15 },
  );
}, 120_000);
