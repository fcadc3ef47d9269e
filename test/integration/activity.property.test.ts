import { it } from 'vitest';
import { activityProperty } from '../support/activity-property';
import { useDynamoDbLocal } from '../support/dynamodb';

const dynamo = useDynamoDbLocal();

it('the dashboard counts exactly what a sequence did, window by window (DynamoDB Local)', async () => {
  await activityProperty(dynamo.freshStore, 6);
}, 300_000);
