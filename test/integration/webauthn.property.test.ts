import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { propertyRuns } from '../support/property-runs';
import { webAuthnProperty } from '../support/webauthn-property';

const dynamo = useDynamoDbLocal();

it('accepts no WebAuthn assertion twice, no counter backwards, no removed credential (DynamoDB Local)', async () => {
  await webAuthnProperty(dynamo.freshStore, propertyRuns(15));
}, 300_000);
