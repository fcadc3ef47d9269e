import fc from 'fast-check';
import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { checkLogoutRun, logoutRun } from '../support/rp-logout-property';

const dynamo = useDynamoDbLocal();

it('RP-initiated logout redirects only to a URI the named client registered (DynamoDB Local)', async () => {
  // One store for every run: fresh clients each time keep runs apart.
  const store = await dynamo.freshStore();
  await fc.assert(
    fc.asyncProperty(logoutRun, (run) => checkLogoutRun(store, run)),
    { numRuns: 15 },
  );
}, 120_000);
