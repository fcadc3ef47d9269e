import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { propertyRuns } from '../support/property-runs';
import { stepUpProperty } from '../support/step-up-property';

const dynamo = useDynamoDbLocal();

it('adds, removes and renews nothing without a valid step-up proof, whatever the sequence (DynamoDB Local)', async () => {
  await stepUpProperty(dynamo.freshStore, propertyRuns(20));
}, 300_000);
