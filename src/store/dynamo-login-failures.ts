import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  isForgotten,
  type LockoutPolicy,
  lockEnd,
  lockSteps,
  secondsLocked,
} from '../core/sessions/lockout';
import { GatehouseError } from '../core/shared/errors';
import type { LockHolder, LoginFailures, LoginLock, Store } from '../core/shared/store';
import { epochSeconds, getItem, type Item, isConditionFailure } from './dynamo-shared';
import { isStorableKey } from './key-size';
import { keys, tables } from './schema';

type Values = Record<string, unknown>;

/**
 * The lock index: a counter at or past the threshold carries `kindPk` = LOCK#<shard> and
 * `kindSk` = the latest its lock can end (its last failure + maxSeconds), so it is listed by the
 * sparse byKind index. Written by the very UpdateItem that counts the failure (never a second
 * write), removed by the restart and gone with the item on a clear: the listing cannot disagree
 * with the counter. Sixteen shards by the key's first character (a digest's): no hot partition
 * under a spray of locks.
 */
const LOCK_SHARDS = 16;
const lockPartition = (shard: number) => `LOCK#${shard}`;
const lockPk = (key: string) => lockPartition((key.codePointAt(0) ?? 0) % LOCK_SHARDS);
const lockSk = (until: number) => String(until).padStart(15, '0');

/** Pages of the lock index read per shard at most: past it the view says it may be partial. */
const LOCK_READ_ROUNDS = 5;

const holderOf = (item: Item): LockHolder | undefined => {
  const holder = item.lockHolder as Partial<Record<string, string>> | undefined;
  if (holder?.userId) return { userId: holder.userId };
  if (holder?.login) return { login: holder.login };
  return undefined;
};

/** The lock an index entry stands for, if it is still locked at `now`. */
const liveLock = (item: Item, now: number, policy: LockoutPolicy): LoginLock[] => {
  const record = toFailures(item);
  if (secondsLocked(record, now, policy) === 0) return [];
  const holder = holderOf(item);
  return [
    {
      key: String(item.pk).slice(String(keys.loginFailures('').pk).length),
      ...record,
      lockedUntil: lockEnd(record, policy),
      ...(holder ? { holder } : {}),
    },
  ];
};

/**
 * "Not forgotten (and not locked)" and "forgotten" as DynamoDB conditions on the stored
 * `failures` and `lastFailureAt`: the lock length grows as 2^n, which an expression cannot
 * compute, so the policy's lock steps are spelled out (at most ~18 terms). Each term says the
 * same as core/sessions/lockout.ts's isForgotten and secondsLocked for the counts of its step.
 */
const conditions = (policy: LockoutPolicy, at: number, unlessLocked: boolean) => {
  // DynamoDB refuses unused values, so each condition carries its own.
  const liveValues: Values = {};
  const forgottenValues: Values = {};
  const live: string[] = [];
  const forgotten: string[] = [];
  lockSteps(policy).forEach((step, i) => {
    const stepValues: Values = { [`:from${i}`]: step.from };
    if (step.to !== null) stepValues[`:to${i}`] = step.to;
    stepValues[`:forget${i}`] = at - (step.seconds + policy.maxSeconds) * 1000;
    const inStep =
      step.to === null ? `failures >= :from${i}` : `failures BETWEEN :from${i} AND :to${i}`;
    Object.assign(liveValues, stepValues);
    Object.assign(forgottenValues, stepValues);
    let term = `(${inStep} AND lastFailureAt > :forget${i}`;
    if (unlessLocked && step.seconds > 0) {
      liveValues[`:unlock${i}`] = at - step.seconds * 1000;
      term += ` AND lastFailureAt <= :unlock${i}`;
    }
    live.push(`${term})`);
    forgotten.push(`(${inStep} AND lastFailureAt <= :forget${i})`);
  });
  return {
    live: { condition: live.join(' OR '), values: liveValues },
    forgotten: { condition: forgotten.join(' OR '), values: forgottenValues },
  };
};

// The item a failed condition returns is not unmarshalled by the document client: {N: '5'}.
const numberOf = (value: unknown): number =>
  Number(value !== null && typeof value === 'object' && 'N' in value ? value.N : value);

const toFailures = (item: Item): LoginFailures => ({
  failures: numberOf(item.failures),
  lastFailureAt: numberOf(item.lastFailureAt),
});

/** Whether a live record already reaches the count that locks (so the next failure locks too). */
const atLockCount = (record: LoginFailures | null, policy: LockoutPolicy) =>
  (record?.failures ?? 0) + 1 >= policy.threshold;

/**
 * Login failures, counted by conditional writes only. The usual case is ONE UpdateItem: ADD
 * one if the record is new or live (and, with `unlessLocked`, not locked). When that
 * condition fails, the record as it stood says why: locked (answer it, count nothing) or
 * forgotten (start over at one, under the condition "still forgotten", so of many racers
 * after a quiet spell exactly one restarts and the others add to it). No count is ever set
 * from a value read earlier.
 */
export const createDynamoLoginFailures = (
  db: DynamoDBDocumentClient,
  table: string,
): Pick<
  Store,
  | 'getLoginFailures'
  | 'recordLoginFailure'
  | 'clearLoginFailures'
  | 'listLoginLocks'
  | 'releaseLoginAttempt'
> => {
  const update = async (key: string, expression: string, condition: string, values: Values) => {
    try {
      const result = await db.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.loginFailures(key),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { counted: toFailures(result.Attributes ?? {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = (error as { Item?: Item }).Item;
      return { counted: null, old: old ? toFailures(old) : undefined };
    }
  };

  return {
    async getLoginFailures(key) {
      const item = await getItem(db, table, keys.loginFailures(key));
      return item ? toFailures(item) : null;
    },
    async recordLoginFailure(key, { at, expiresAt, policy, unlessLocked, holder }) {
      const { live, forgotten } = conditions(policy, at, unlessLocked);
      const common = { ':one': 1, ':at': at, ':ttl': epochSeconds(expiresAt) };
      // A failure that reaches the threshold writes the lock index in the same UpdateItem.
      const index = {
        set: ', kindPk = :lockPk, kindSk = :lockSk, lockHolder = :holder',
        values: {
          ':lockPk': lockPk(key),
          ':lockSk': lockSk(at + policy.maxSeconds * 1000),
          ':holder': holder ?? {},
        },
      };
      const unindex = ' REMOVE kindPk, kindSk, lockHolder';
      const firstLocks = policy.threshold <= 1;
      // Below the lock count the ADD leaves the index alone; at it, the ADD writes the index.
      // The two conditions split the live states, so concurrent adds never lose a count.
      let locking = firstLocks;
      for (let round = 0; round < 6; round++) {
        const added = locking
          ? await update(
              key,
              `ADD failures :one SET lastFailureAt = :at, #ttl = :ttl${index.set}`,
              `${firstLocks ? 'attribute_not_exists(pk) OR ' : ''}((${live.condition}) AND failures >= :lockAt)`,
              { ...live.values, ...common, ...index.values, ':lockAt': policy.threshold - 1 },
            )
          : await update(
              key,
              'ADD failures :one SET lastFailureAt = :at, #ttl = :ttl',
              `attribute_not_exists(pk) OR ((${live.condition}) AND failures < :lockAt)`,
              { ...live.values, ...common, ':lockAt': policy.threshold - 1 },
            );
        if (added.counted) return { ...added.counted, counted: true };
        const old =
          added.old ??
          (await getItem(db, table, keys.loginFailures(key)).then((item) =>
            item ? toFailures(item) : null,
          ));
        if (!old) {
          locking = firstLocks;
          continue;
        }
        if (isForgotten(old, at, policy)) {
          const restarted = await update(
            key,
            firstLocks
              ? `SET failures = :one, lastFailureAt = :at, #ttl = :ttl${index.set}`
              : `SET failures = :one, lastFailureAt = :at, #ttl = :ttl${unindex}`,
            forgotten.condition,
            { ...forgotten.values, ...common, ...(firstLocks ? index.values : {}) },
          );
          if (restarted.counted) return { ...restarted.counted, counted: true };
          continue;
        }
        if (unlessLocked && secondsLocked(old, at, policy) > 0) return { ...old, counted: false };
        locking = atLockCount(old, policy);
      }
      throw new GatehouseError('conflict', 'A concurrent sign-in won; try again.');
    },
    async listLoginLocks(now, policy, limit) {
      // One Query chain per shard, only entries whose latest possible end is still ahead; the
      // chain reads past ended locks until `limit` live ones or the shard's budget.
      const shards = await Promise.all(
        Array.from({ length: LOCK_SHARDS }, async (_, shard) => {
          const live: LoginLock[] = [];
          let lastKey: Item | undefined;
          for (let round = 0; round < LOCK_READ_ROUNDS; round++) {
            const result = await db.send(
              new QueryCommand({
                TableName: table,
                IndexName: tables.tokens.indexes[1].name,
                KeyConditionExpression: 'kindPk = :pk AND kindSk > :now',
                ExpressionAttributeValues: { ':pk': lockPartition(shard), ':now': lockSk(now) },
                ScanIndexForward: false,
                Limit: limit,
                ...(lastKey ? { ExclusiveStartKey: lastKey } : {}),
              }),
            );
            live.push(...(result.Items ?? []).flatMap((item) => liveLock(item, now, policy)));
            lastKey = result.LastEvaluatedKey;
            if (!lastKey || live.length >= limit) break;
          }
          // Entries left unread: live locks may be among them.
          return { live, cut: lastKey !== undefined };
        }),
      );
      const locks = shards.flatMap((s) => s.live).sort((a, b) => b.lockedUntil - a.lockedUntil);
      return {
        locks: locks.slice(0, limit),
        partial: locks.length > limit || shards.some((s) => s.cut),
      };
    },
    async clearLoginFailures(key, options) {
      // A key no counter can have (a form's over-long value) clears nothing.
      if (!isStorableKey(keys.loginFailures(key))) return null;
      try {
        const result = await db.send(
          new DeleteCommand({
            TableName: table,
            Key: keys.loginFailures(key),
            ReturnValues: 'ALL_OLD',
            // Only a login's counter when asked: an account's lock is cleared under its own rule.
            ...(options?.loginHolderOnly
              ? {
                  ConditionExpression: 'attribute_exists(#holder.#login)',
                  ExpressionAttributeNames: { '#holder': 'lockHolder', '#login': 'login' },
                }
              : {}),
          }),
        );
        if (!result.Attributes) return null;
        const holder = holderOf(result.Attributes);
        return holder ? { holder } : {};
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return null;
      }
    },
    async releaseLoginAttempt(key) {
      // One conditional ADD -1: never below zero, never creates a record a clear removed.
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: keys.loginFailures(key),
            UpdateExpression: 'ADD failures :less',
            ConditionExpression: 'failures > :zero',
            ExpressionAttributeValues: { ':less': -1, ':zero': 0 },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
};
