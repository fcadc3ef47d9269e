import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { mfaSignInProperty } from '../support/mfa-sign-in-property';
import { propertyRuns } from '../support/property-runs';

const dynamo = useDynamoDbLocal();

it('opens no session for a user with a factor without a verify of a live mfa_token (DynamoDB Local)', async () => {
  await mfaSignInProperty(dynamo.freshStore, propertyRuns(20));
}, 300_000);
