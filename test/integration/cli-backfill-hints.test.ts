import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import { keys } from '../../src/store/schema';
import { json, useGatehouseCli } from '../support/cli';

const { gatehouse, store, endpoint } = useGatehouseCli();

describe('gatehouse users backfill-password-hints', () => {
  it('gives login items from before hints the user’s hash, leaves the user item alone, and is safe to rerun', async () => {
    const db = createDocumentClient(createDynamoClient({ endpoint: endpoint() }));
    const created = await gatehouse([
      'users',
      'create',
      '--email',
      'dormant@example.com',
      '--username',
      'dormant',
      '--password',
      'a long enough passphrase 1',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const user = await store().getUser(json(created).user.id);
    if (!user?.usernameKey) throw new Error('created without a username');
    const guards = [keys.email(user.emailKey), keys.username(user.usernameKey)];
    // As every account created before the deploy that added hints has them.
    for (const Key of guards) {
      await db.send(
        new UpdateCommand({ TableName: 'Users', Key, UpdateExpression: 'REMOVE passwordHashHint' }),
      );
    }
    const hints = async () =>
      Promise.all(
        guards.map(
          async (Key) =>
            (await db.send(new GetCommand({ TableName: 'Users', Key }))).Item?.passwordHashHint,
        ),
      );
    expect(await hints()).toEqual([undefined, undefined]);

    for (let run = 0; run < 2; run++) {
      const backfill = await gatehouse(['users', 'backfill-password-hints', '--json']);
      expect(backfill.code, backfill.stderr).toBe(0);
      expect(json(backfill)).toMatchObject({ changedMeanwhile: 0 });
      expect(json(backfill).refreshed).toBeGreaterThanOrEqual(1);
      expect(await hints()).toEqual([user.passwordHash, user.passwordHash]);
    }
    expect((await store().getUser(user.id))?.updatedAt).toBe(user.updatedAt);
  });
});
