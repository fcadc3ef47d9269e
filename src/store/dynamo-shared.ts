import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { GatehouseError } from '../core/shared/errors';
import { isStorableKey } from './key-size';
import { revocationItem } from './revocation-feed';
import { keys } from './schema';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
export type { Item } from './items';

import type { Item } from './items';

export const epochSeconds = (ms: number) => Math.floor(ms / 1000);

export const notExists = 'attribute_not_exists(pk)';

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Which items of a cancelled transaction failed their condition. */
export const failedConditions = (error: unknown): number[] | null =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).flatMap((reason, index) =>
        reason.Code === 'ConditionalCheckFailed' ? [index] : [],
      )
    : null;

const isOnlyConflict = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict') &&
  !(error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');

/**
 * Runs a transaction, retrying when it only lost a race with another transaction on the same
 * items: the retry then meets the winner's writes and its conditions decide.
 */
export const transact = async (
  db: DynamoDBDocumentClient,
  items: TransactItem[],
): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!isOnlyConflict(error)) throw error;
      // Contention, not a fault: the caller may simply try again.
      if (attempt >= 8) throw new GatehouseError('conflict', 'A concurrent change won; try again.');
      await new Promise((wait) => setTimeout(wait, attempt * 20 * Math.random()));
    }
  }
};

export const getItem = async (
  db: DynamoDBDocumentClient,
  table: string,
  key: Item,
): Promise<Item | null> => {
  // A key no item can have (a client's over-long value): a miss, not a ValidationException.
  if (!isStorableKey(key)) return null;
  return (
    (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item ??
    null
  );
};

/** A position to continue after `item` in an index: its table key and index key. */
export const positionOf = (item: Item, attributes: readonly string[]): Record<string, string> =>
  Object.fromEntries(attributes.map((name) => [name, String(item[name])]));

export { withoutKeys } from './items';

/**
 * Ends a session: true when this call ended it (it existed and was live). Invariant: the
 * session's end and its revocation-feed entry are one transaction, so no session ends without
 * its entry and no entry names a session that did not end. `feedAt` (default `at`) is when the
 * entry is written: a long sweep stamps each entry with its own time, inside the readers' overlap.
 */
export const revokeSessionItem = async (
  db: DynamoDBDocumentClient,
  table: string,
  sid: string,
  at: number,
  belowVersion?: number,
  feedAt = at,
): Promise<boolean> => {
  try {
    await transact(db, [
      {
        Update: {
          TableName: table,
          Key: keys.session(sid),
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(revokedAt)${
            belowVersion === undefined
              ? ''
              : ' AND (attribute_not_exists(credentialVersion) OR credentialVersion < :v)'
          }`,
          ExpressionAttributeValues: {
            ':at': at,
            ...(belowVersion === undefined ? {} : { ':v': belowVersion }),
          },
        },
      },
      { Put: { TableName: table, Item: revocationItem(sid, feedAt) } },
    ]);
    return true;
  } catch (error) {
    if (!failedConditions(error)?.includes(0)) throw error;
    return false;
  }
};
