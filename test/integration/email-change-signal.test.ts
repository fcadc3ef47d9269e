import { it } from 'vitest';
import { useDynamoDbLocal } from '../support/dynamodb';
import { checkEmailChangeGivesNoSignal } from '../support/email-change-property';

const dynamo = useDynamoDbLocal();

it(
  'PATCH /me {email}: a taken address answers as a free one and mails nothing (DynamoDB Local)',
  () => checkEmailChangeGivesNoSignal(dynamo.freshStore, 8),
  60_000,
);
