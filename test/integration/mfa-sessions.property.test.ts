import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { mfaSessionsProperty } from '../support/mfa-sessions-property';
import { propertyRuns } from '../support/property-runs';

const dynamo = useDynamoDbLocal();

it('older refresh tokens end their session, held-back sessions hold only profile, a clear leaves no factor and no session (DynamoDB Local)', async () => {
  await mfaSessionsProperty(dynamo.freshStore, propertyRuns(20));
}, 300_000);
