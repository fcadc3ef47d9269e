import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { linkingProperty } from '../support/linking-property';

const dynamo = useDynamoDbLocal();

it('account linking: no non-owner credential rises, one account per email and per identity (DynamoDB Local)', async () => {
  await linkingProperty(dynamo.freshStore, 6);
}, 600_000);
