import * as sdk from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { revocationItem } from '../../src/store/revocation-feed';
import { revocationFeedReader } from '../../src/store/revocation-feed-reader';
import { useDynamoDbLocal } from '../support/dynamodb';

const local = useDynamoDbLocal();
const stamp = Date.now();
const names: TableNames = {
  users: `reader-${stamp}-Users`,
  tokens: `reader-${stamp}-Tokens`,
  audit: `reader-${stamp}-Audit`,
};
const START = Date.UTC(2026, 0, 1);
/** 40 sessions ended a millisecond apart, spread over the feed's shards. */
const ended = Array.from({ length: 40 }, (_, i) => ({ sid: `sid-${i}`, at: START + i }));
let client: sdk.DynamoDBClient;

beforeAll(async () => {
  client = createDynamoClient({ endpoint: local.endpoint() });
  await createTables(client, names);
  const db = createDocumentClient(client);
  for (const { sid, at } of ended) {
    await db.send(new PutCommand({ TableName: names.tokens, Item: revocationItem(sid, at) }));
  }
});
afterAll(() => client?.destroy());

describe('the authorizer feed reader', () => {
  it('reads every entry since a time when each shard is under its limit', async () => {
    const read = revocationFeedReader(async () => ({ sdk, client }), names.tokens);
    const found = await read(START + 10);
    expect(Array.isArray(found)).toBe(true);
    expect(new Set((found as { sid: string }[]).map(({ sid }) => sid))).toEqual(
      new Set(ended.slice(10).map(({ sid }) => sid)),
    );
  });

  it('keeps the newest entries past its page limit and covers only from just after the oldest kept', async () => {
    const read = revocationFeedReader(async () => ({ sdk, client }), names.tokens, 3);
    const found = await read(START);
    if (Array.isArray(found)) throw new Error('expected a read cut at its limit');
    // Every entry at or after the coverage start is there: nothing a token could need is missed.
    const kept = new Set(found.entries.map(({ sid }) => sid));
    const due = ended.filter(({ at }) => at >= found.coveredFrom);
    expect(due.length).toBeGreaterThan(0);
    for (const { sid } of due) expect(kept).toContain(sid);
    expect(found.coveredFrom).toBeGreaterThan(START);
  });
});
