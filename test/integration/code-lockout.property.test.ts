import { it } from 'vitest';
import { codeLockoutProperty } from '../support/code-lockout-property';
import { useDynamoDbLocal } from '../support/dynamodb';
import { propertyRuns } from '../support/property-runs';

const dynamo = useDynamoDbLocal();

it('checks at most LOCKOUT_THRESHOLD wrong codes, whatever passwords, sign-ins and resets come between (DynamoDB Local)', async () => {
  await codeLockoutProperty(dynamo.freshStore, propertyRuns(20));
}, 300_000);
