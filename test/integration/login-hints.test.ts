import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import { resetPassword, updateUser } from '../../src/core/users/user-management';
import type { UserRecord } from '../../src/core/users/users';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { keys } from '../../src/store/schema';
import { testDeps } from '../support/core-deps';
import { useDynamoDbLocal } from '../support/dynamodb';
import { createUserWithPassword, PASSWORD } from '../support/users';

const dynamo = useDynamoDbLocal();

const setUp = async () => {
  const client = createDynamoClient({ endpoint: dynamo.endpoint() });
  const prefix = randomUUID().slice(0, 8);
  const names = { users: `${prefix}-Users`, tokens: `${prefix}-Tokens`, audit: `${prefix}-Audit` };
  await createTables(client, names);
  const db = createDocumentClient(client);
  const deps = testDeps({}, createDynamoStore(db, names));
  const guard = async (key: Record<string, string>) =>
    (await db.send(new GetCommand({ TableName: names.users, Key: key }))).Item;
  /** Each guard of the user as stored now, and its hash. */
  const hints = async (id: string) => {
    const user = (await deps.store.getUser(id)) as UserRecord;
    const items = [
      await guard(keys.email(user.emailKey)),
      ...(user.usernameKey ? [await guard(keys.username(user.usernameKey))] : []),
    ];
    return { hash: user.passwordHash, hints: items.map((item) => item?.passwordHashHint) };
  };
  return { db, names, deps, hints };
};

it('keeps every login guard’s hint equal to the user’s hash through each write of either', async () => {
  const { deps, hints } = await setUp();
  const owner = await createUserWithPassword(deps, { role: 'owner', email: 'own@example.com' });
  const actor = { kind: 'user' as const, user: owner, tokenId: null };
  const user = await createUserWithPassword(deps, { email: 'h@example.com', username: 'h' });
  const same = async () => {
    const { hash, hints: all } = await hints(user.id);
    expect(all).toEqual(all.map(() => hash));
  };
  await same();
  await resetPassword(deps, actor, user.id, 'a new passphrase 42', noRequest);
  await same();
  await updateUser(deps, actor, user.id, { email: 'h2@example.com' }, noRequest);
  await same();
  await updateUser(deps, actor, user.id, { username: 'h-two' }, noRequest);
  await same();
  // The sign-in's rehash (a cost raised since) writes the guards' hint with the hash.
  const raised = { ...deps, hasher: { ...deps.hasher, needsRehash: () => true } };
  const before = (await hints(user.id)).hash;
  await signInWithPassword(raised, { login: 'h-two', password: 'a new passphrase 42' });
  expect((await hints(user.id)).hash).not.toBe(before);
  await same();
});

it('gives a guard stored before hints its hint at the next right password', async () => {
  const { db, names, deps, hints } = await setUp();
  const user = await createUserWithPassword(deps, { email: 'old@example.com', username: 'old' });
  for (const key of [keys.email('old@example.com'), keys.username('old')]) {
    await db.send(
      new UpdateCommand({
        TableName: names.users,
        Key: key,
        UpdateExpression: 'REMOVE passwordHashHint',
      }),
    );
  }
  expect((await hints(user.id)).hints).toEqual([undefined, undefined]);
  await expect(
    signInWithPassword(deps, { login: 'old', password: 'not the password!' }),
  ).rejects.toMatchObject({ code: 'invalid_credentials' });
  // An admin edit prepared before the sign-in (the user as read then) still lands after it.
  const prepared = (await deps.store.getUser(user.id)) as UserRecord;
  await signInWithPassword(deps, { login: 'old', password: PASSWORD });
  const { hash, hints: after } = await hints(user.id);
  expect(after).toEqual([hash, hash]);
  expect((await deps.store.getUser(user.id))?.updatedAt).toBe(prepared.updatedAt);
  await deps.store.updateUser(prepared, { ...prepared, name: 'Edited meanwhile' });
  expect((await deps.store.getUser(user.id))?.name).toBe('Edited meanwhile');
});

it('refreshes the hints only while the user item still holds the hash read (never a stale one)', async () => {
  const { db, names, deps, hints } = await setUp();
  const user = await createUserWithPassword(deps, { email: 'r@example.com', username: 'r' });
  for (const key of [keys.email('r@example.com'), keys.username('r')]) {
    await db.send(
      new UpdateCommand({
        TableName: names.users,
        Key: key,
        UpdateExpression: 'REMOVE passwordHashHint',
      }),
    );
  }
  // The hash changed after `user` was read (raw, so no write of the store refreshes a hint).
  const setHash = (hash: string | null) =>
    db.send(
      new UpdateCommand({
        TableName: names.users,
        Key: keys.user(user.id),
        UpdateExpression: 'SET passwordHash = :hash',
        ExpressionAttributeValues: { ':hash': hash },
      }),
    );
  await setHash('changed');
  expect(await deps.store.refreshLoginHints(user)).toBe(false);
  expect((await hints(user.id)).hints).toEqual([undefined, undefined]);
  const fresh = (await deps.store.getUser(user.id)) as UserRecord;
  expect(await deps.store.refreshLoginHints(fresh)).toBe(true);
  expect((await hints(user.id)).hints).toEqual(['changed', 'changed']);
  // No password: the hint says so (null), under the same condition.
  await setHash(null);
  expect(await deps.store.refreshLoginHints(fresh)).toBe(false);
  expect(await deps.store.refreshLoginHints({ ...fresh, passwordHash: null })).toBe(true);
  expect((await hints(user.id)).hints).toEqual([null, null]);
});
