import fc from 'fast-check';
import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { propertyRuns } from '../support/property-runs';
import { checkFeedRun, feedRun } from '../support/revocation-feed-property';

const dynamo = useDynamoDbLocal();

it('every authorizer instance refuses an ended session past the window and allows a live one (DynamoDB Local)', async () => {
  // One store for every run: fresh users and sessions keep runs apart.
  const store = await dynamo.freshStore();
  await fc.assert(
    fc.asyncProperty(feedRun, (run) => checkFeedRun(store, run)),
    { numRuns: propertyRuns(25) },
  );
}, 300_000);
