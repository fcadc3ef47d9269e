import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it, vi } from 'vitest';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { keys } from '../../src/store/schema';
import { testDeps } from '../support/core-deps';
import { useDynamoDbLocal } from '../support/dynamodb';
import { createUserWithPassword } from '../support/users';

const dynamo = useDynamoDbLocal();

it('a locked-out attempt spends one bcrypt whether the login is unknown or a pre-hint account (DynamoDB Local)', async () => {
  const client = createDynamoClient({ endpoint: dynamo.endpoint() });
  const prefix = randomUUID().slice(0, 8);
  const names = { users: `${prefix}-Users`, tokens: `${prefix}-Tokens`, audit: `${prefix}-Audit` };
  await createTables(client, names);
  const db = createDocumentClient(client);
  const deps = testDeps({ LOCKOUT_THRESHOLD: '3' }, createDynamoStore(db, names));
  const user = await createUserWithPassword(deps, { email: 'dormant@example.com' });
  // The login item as every account created before this deploy has it: no hint attribute.
  await db.send(
    new UpdateCommand({
      TableName: names.users,
      Key: keys.email(user.emailKey),
      UpdateExpression: 'REMOVE passwordHashHint',
    }),
  );
  const probe = async (login: string) => {
    for (let i = 0; i < 3; i++)
      await signInWithPassword(deps, { login, password: 'wrong password!' }).catch(() => null);
    const verify = vi.spyOn(deps.hasher, 'verify');
    const dummy = vi.spyOn(deps.hasher, 'verifyDummy');
    const error = await signInWithPassword(deps, { login, password: 'wrong password!' }).catch(
      (e: { code: string }) => e,
    );
    expect(error).toMatchObject({ code: 'too_many_attempts' });
    const bcrypts = verify.mock.calls.length + dummy.mock.calls.length;
    verify.mockRestore();
    dummy.mockRestore();
    return bcrypts;
  };
  expect({
    unknown: await probe('ghost@example.com'),
    dormant: await probe('dormant@example.com'),
  }).toEqual({ unknown: 1, dormant: 1 });
}, 60_000);
