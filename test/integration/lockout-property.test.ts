import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { lockoutProperty } from '../support/lockout-property';

const dynamo = useDynamoDbLocal();

it('loses no failure and skips no lock, whatever the interleaving (DynamoDB Local)', async () => {
  await lockoutProperty(dynamo.freshStore, 6);
}, 240_000);
