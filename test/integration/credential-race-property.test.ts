import { it } from 'vitest';
import { credentialRaceProperty } from '../support/credential-race-property';
import { useDynamoDbLocal } from '../support/dynamodb';

const dynamo = useDynamoDbLocal();

it('leaves no working session from before a reset, password change, takeover or role change, whatever the interleaving (DynamoDB Local)', async () => {
  await credentialRaceProperty(dynamo.freshStore, 8);
}, 300_000);
