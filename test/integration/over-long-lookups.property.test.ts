import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { overLongLookupsProperty } from '../support/over-long-lookups-property';

const dynamo = useDynamoDbLocal();

it('answers a lookup of any value, however long, as a miss or a 400, never a failure (DynamoDB Local)', async () => {
  await overLongLookupsProperty(dynamo.freshStore, 40);
}, 120_000);
