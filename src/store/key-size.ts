import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GatehouseError } from '../core/shared/errors';
import { tables } from './schema';

/** DynamoDB's largest partition and sort key values, in bytes of UTF-8. */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

type Values = Record<string, unknown>;

const allTables = Object.values(tables);
/** Every attribute that is a partition or sort key of a table or of one of its indexes. */
const partitionNames = new Set<string>(
  allTables.flatMap((t) => [t.partitionKey, ...t.indexes.map((i) => i.partitionKey)]),
);
const sortNames = new Set<string>(
  allTables.flatMap((t) => [t.sortKey, ...t.indexes.map((i) => i.sortKey)]),
);

const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);

/** Whether DynamoDB can hold every key attribute of this key or item. */
export const isStorableKey = (item: Values): boolean =>
  Object.entries(item).every(
    ([name, value]) =>
      !(
        (partitionNames.has(name) && bytes(value) > MAX_PARTITION_KEY_BYTES) ||
        (sortNames.has(name) && bytes(value) > MAX_SORT_KEY_BYTES)
      ),
  );

/** The keys and items a command names (its own, or its transaction's or batch's). */
const keysOf = (input: Values): Values[] => {
  const found: Values[] = [];
  const add = (value: unknown) => {
    if (value && typeof value === 'object') found.push(value as Values);
  };
  add(input.Key);
  add(input.Item);
  for (const entry of (input.TransactItems as Values[] | undefined) ?? []) {
    for (const operation of Object.values(entry) as Values[]) {
      add(operation?.Key);
      add(operation?.Item);
    }
  }
  for (const request of Object.values((input.RequestItems as Values | undefined) ?? {})) {
    for (const key of ((request as Values).Keys as unknown[] | undefined) ?? []) add(key);
  }
  return found;
};

/**
 * Every command of this client refuses, before DynamoDB sees it, a key value longer than
 * DynamoDB can hold (a ValidationException, which would answer 500): a client's value that
 * reaches a key (a name in a search entry, a subject, a form's counter key, a search's bounds)
 * is then a 400 `record_invalid`. Reads by key never get here with one: `getItem` answers a
 * miss first.
 */
export const refuseOverlongKeys = (db: DynamoDBDocumentClient): DynamoDBDocumentClient => {
  db.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Values;
      const overlong =
        !keysOf(input).every(isStorableKey) ||
        // A Query's key condition values (its bounds) are held to the sort key's size.
        (typeof input.KeyConditionExpression === 'string' &&
          Object.values((input.ExpressionAttributeValues as Values | undefined) ?? {}).some(
            (value) => bytes(value) > MAX_SORT_KEY_BYTES,
          ));
      if (overlong) {
        throw new GatehouseError('record_invalid', 'A value is longer than Gatehouse can store.');
      }
      return next(args);
    },
    { step: 'initialize', name: 'refuseOverlongKeys' },
  );
  return db;
};
