import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { mfaProperty } from '../support/mfa-property';
import { propertyRuns } from '../support/property-runs';

const dynamo = useDynamoDbLocal();

it('spends TOTP steps, recovery codes and mfa_tokens at most once, whatever the sequence (DynamoDB Local)', async () => {
  await mfaProperty(dynamo.freshStore, propertyRuns(25));
}, 300_000);
