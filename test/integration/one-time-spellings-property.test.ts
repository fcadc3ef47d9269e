import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { oneTimeSpellingsProperty } from '../support/one-time-spellings-property';

const dynamo = useDynamoDbLocal();

it('accepts a one-time token once, in any spelling (DynamoDB Local)', async () => {
  await oneTimeSpellingsProperty(dynamo.freshStore, 8);
}, 240_000);
