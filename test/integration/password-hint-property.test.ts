import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { it } from 'vitest';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { keys } from '../../src/store/schema';
import { useDynamoDbLocal } from '../support/dynamodb';
import { passwordHintProperty, type StaleHint } from '../support/password-hint-property';
import { propertyRuns } from '../support/property-runs';

const dynamo = useDynamoDbLocal();

/** A store on fresh tables, and a way to make its login items' hint stale behind its back. */
const freshWithStaleHints = async () => {
  const client = createDynamoClient({ endpoint: dynamo.endpoint() });
  const prefix = randomUUID().slice(0, 8);
  const names = { users: `${prefix}-Users`, tokens: `${prefix}-Tokens`, audit: `${prefix}-Audit` };
  await createTables(client, names);
  const db = createDocumentClient(client);
  const staleHint: StaleHint = async (user, hash) => {
    const logins = [
      keys.email(user.emailKey),
      ...(user.usernameKey ? [keys.username(user.usernameKey)] : []),
    ];
    for (const key of logins) {
      await db.send(
        new UpdateCommand({
          TableName: names.users,
          Key: key,
          UpdateExpression: 'SET passwordHashHint = :hint',
          ExpressionAttributeValues: { ':hint': hash },
        }),
      );
    }
  };
  return { store: createDynamoStore(db, names), staleHint };
};

it('signs in iff the password is the user item’s current one, whatever the hint says (DynamoDB Local)', async () => {
  await passwordHintProperty(freshWithStaleHints, propertyRuns(12));
}, 300_000);
