import type { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../src/store/items';
import { pageOfFound, queryPages } from '../../../src/store/paged-query';

/** A table of `total` items `{pk: n}` that answers at most `perPage` items per request. */
const fakeDb = (total: number, perPage: number) => {
  const requests: { Limit?: number; ExclusiveStartKey?: Item }[] = [];
  const db = {
    send: async (command: QueryCommand) => {
      const input = command.input;
      requests.push({
        ...(input.Limit === undefined ? {} : { Limit: input.Limit }),
        ...(input.ExclusiveStartKey ? { ExclusiveStartKey: input.ExclusiveStartKey } : {}),
      });
      const from = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey.pk) + 1 : 0;
      const count = Math.min(perPage, input.Limit ?? perPage, total - from);
      const Items = Array.from({ length: Math.max(0, count) }, (_, i) => ({ pk: from + i }));
      const last = Items.at(-1);
      return { Items, ...(last && last.pk < total - 1 ? { LastEvaluatedKey: last } : {}) };
    },
  } as unknown as DynamoDBDocumentClient;
  return { db, requests };
};

describe('paged query', () => {
  it('without limits reads every page', async () => {
    const { db, requests } = fakeDb(7, 3);
    const found = await queryPages(db, { TableName: 't' });
    expect(found.items.map((item) => item.pk)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(found.lastKey).toBeUndefined();
    expect(requests).toHaveLength(3);
    expect(requests[0]).not.toHaveProperty('Limit');
  });

  it('asks for one more than a page, across short pages, and stops there', async () => {
    const { db, requests } = fakeDb(20, 2);
    const found = await queryPages(db, { TableName: 't' }, { limit: 4 });
    expect(found.items.map((item) => item.pk)).toEqual([0, 1, 2, 3, 4]);
    expect(requests.map((r) => r.Limit)).toEqual([5, 3, 1]);
    expect(pageOfFound(found, 4, ['pk'])).toEqual({
      items: [{ pk: 0 }, { pk: 1 }, { pk: 2 }, { pk: 3 }],
      next: { pk: '3' },
    });
  });

  it('sends at most maxRounds requests, and tells where it stopped', async () => {
    const { db, requests } = fakeDb(20, 1);
    const found = await queryPages(db, { TableName: 't' }, { limit: 5, maxRounds: 2 });
    expect(requests).toHaveLength(2);
    expect(found.items).toHaveLength(2);
    expect(found.lastKey).toEqual({ pk: 1 });
    // A short page whose reading stopped early still says where the next one starts.
    expect(pageOfFound(found, 5, ['pk'])).toEqual({
      items: [{ pk: 0 }, { pk: 1 }],
      next: { pk: '1' },
    });
  });

  it('continues from the caller’s start key, and ends with no next page at the end', async () => {
    const { db, requests } = fakeDb(5, 10);
    const found = await queryPages(
      db,
      { TableName: 't', ExclusiveStartKey: { pk: 1 } },
      { limit: 3 },
    );
    expect(requests[0]?.ExclusiveStartKey).toEqual({ pk: 1 });
    expect(found.items.map((item) => item.pk)).toEqual([2, 3, 4]);
    expect(pageOfFound(found, 3, ['pk']).next).toBeNull();
  });
});
