import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiTokenRecord } from '../../src/core/tokens/api-tokens';
import { apiTokenStateStore } from '../../src/store/api-token-state';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { lazyDynamoClient } from '../../src/store/lazy-dynamo-client';
import { keys } from '../../src/store/schema';
import { useDynamoDbLocal } from '../support/dynamodb';

const local = useDynamoDbLocal();
const T0 = Date.UTC(2026, 2, 1, 9);
const stamp = Date.now();
const names: TableNames = {
  users: `stamp-${stamp}-Users`,
  tokens: `stamp-${stamp}-Tokens`,
  audit: `stamp-${stamp}-Audit`,
};
let direct: ReturnType<typeof createDocumentClient>;

const token = (tokenId: string): ApiTokenRecord => ({
  tokenId,
  hash: 'h',
  name: 'ci',
  scopes: null,
  userId: 'u1',
  createdBy: 'u1',
  createdAt: T0,
  expiresAt: null,
  lifetimeSeconds: null,
  renewable: false,
  lastUsedAt: null,
  revokedAt: null,
});

beforeAll(async () => {
  const client = createDynamoClient({ endpoint: local.endpoint() });
  await createTables(client, names);
  direct = createDocumentClient(client);
});

const stored = async (tokenId: string) =>
  (await direct.send(new GetCommand({ TableName: names.tokens, Key: keys.apiToken(tokenId) })))
    .Item;

describe("an API token's last use, and from where", () => {
  it('stamps hourly from one address, and a minute after a use from a new one', async () => {
    const store = apiTokenStateStore(lazyDynamoClient({ endpoint: local.endpoint() }), names);
    const record = token('tok_stamp1');
    // As the store writes a token: null fields left out (api-token-item.ts).
    const {
      lastUsedAt: _never,
      revokedAt: _no,
      expiresAt: _none,
      lifetimeSeconds: _nil,
      ...item
    } = record;
    await direct.send(
      new PutCommand({
        TableName: names.tokens,
        Item: { ...keys.apiToken(record.tokenId), ...item },
      }),
    );
    const home = { ip: '198.51.100.1', userAgent: 'ci/1' };
    const away = { ip: '203.0.113.9', userAgent: 'laptop/2' };
    const use = async (at: number, origin: typeof home) => {
      const write = store.markUsed(record, at, origin);
      await write;
      return write !== null;
    };

    expect(await use(T0, home)).toBe(true);
    expect(await use(T0 + 30 * 60_000, home)).toBe(false);
    expect(await stored(record.tokenId)).toMatchObject({ lastUsedAt: T0, lastUsedFrom: home });
    // A new address: stamped at once (the last stamp is over a minute old)...
    expect(await use(T0 + 31 * 60_000, away)).toBe(true);
    expect(await stored(record.tokenId)).toMatchObject({
      lastUsedAt: T0 + 31 * 60_000,
      lastUsedFrom: away,
    });
    // ...but back and forth within a minute writes once.
    expect(await use(T0 + 31 * 60_000 + 10_000, home)).toBe(false);
    expect(await use(T0 + 32 * 60_000 + 1, home)).toBe(true);
    expect(await stored(record.tokenId)).toMatchObject({ lastUsedFrom: home });
    // The same address again: the next stamp is an hour after the last.
    expect(await use(T0 + 80 * 60_000, home)).toBe(false);
    expect(await use(T0 + 93 * 60_000, home)).toBe(true);
  });

  it('writes no item for a token that does not exist', async () => {
    const store = apiTokenStateStore(lazyDynamoClient({ endpoint: local.endpoint() }), names);
    await store.markUsed(token('tok_gone'), T0, { ip: '192.0.2.1', userAgent: null });
    expect(await stored('tok_gone')).toBeUndefined();
  });
});
