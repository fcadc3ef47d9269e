import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { startSession } from '../../src/core/sessions/sessions';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { testDeps } from '../support/core-deps';
import { useDynamoDbLocal } from '../support/dynamodb';
import { aUser } from '../support/users';

const local = useDynamoDbLocal();
const clients: ReturnType<typeof createDynamoClient>[] = [];
afterAll(() => {
  for (const client of clients) client.destroy();
});

const sidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid;

it('a sweep on DynamoDB Local ends every other session when one transaction fails, and a repeat ends the last', async () => {
  const client = createDynamoClient({ endpoint: local.endpoint() });
  clients.push(client);
  const prefix = randomUUID().slice(0, 8);
  const names: TableNames = {
    users: `${prefix}-Users`,
    tokens: `${prefix}-Tokens`,
    audit: `${prefix}-Audit`,
  };
  await createTables(client, names);
  const db = createDocumentClient(client);
  let failSid: string | null = null;
  // The real client, with one session's transaction failing as a throttle would.
  const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
  (db as { send: unknown }).send = (command: unknown) => {
    const key =
      command instanceof TransactWriteCommand && command.input.TransactItems?.[0]?.Update?.Key;
    if (failSid && key && String(key.pk).endsWith(failSid)) {
      return Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    }
    return send(command);
  };
  const store = createDynamoStore(db, names);
  const deps = testDeps({}, store);
  const user = aUser();
  await store.createUser(user);
  const sids: string[] = [];
  for (let i = 0; i < 30; i++) sids.push(sidOf((await startSession(deps, user)).access_token));
  failSid = sids[2] as string;
  await expect(store.revokeUserSessions(user.id, deps.clock.now())).rejects.toThrow(
    '1 of 30 sessions could not be ended',
  );
  const live = async () => {
    const found: string[] = [];
    for (const sid of sids) if ((await store.getSession(sid))?.revokedAt == null) found.push(sid);
    return found;
  };
  expect(await live()).toEqual([failSid]);
  failSid = null;
  expect(await store.revokeUserSessions(user.id, deps.clock.now())).toBe(1);
  expect(await live()).toEqual([]);
});
