import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { lockoutsViewProperty } from '../support/lockouts-view-property';

const dynamo = useDynamoDbLocal();

it('lists exactly the logins sign-in refuses as locked (DynamoDB Local)', async () => {
  await lockoutsViewProperty(dynamo.freshStore, 6);
}, 240_000);
