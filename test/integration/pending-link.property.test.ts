import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { pendingLinkProperty } from '../support/pending-link-property';

const dynamo = useDynamoDbLocal();

it('pending account link: linked only by the password with a live secret; spent secrets never link (DynamoDB Local)', async () => {
  await pendingLinkProperty(dynamo.freshStore, 8);
}, 600_000);
