import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  isForgotten,
  type LockoutPolicy,
  lockSteps,
  secondsLocked,
} from '../core/sessions/lockout';
import { GatehouseError } from '../core/shared/errors';
import type { LoginFailures, Store } from '../core/shared/store';
import { epochSeconds, getItem, type Item, isConditionFailure } from './dynamo-shared';
import { keys } from './schema';

type Values = Record<string, number>;

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
  'getLoginFailures' | 'recordLoginFailure' | 'clearLoginFailures' | 'releaseLoginAttempt'
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
    async recordLoginFailure(key, { at, expiresAt, policy, unlessLocked }) {
      const { live, forgotten } = conditions(policy, at, unlessLocked);
      const common = { ':one': 1, ':at': at, ':ttl': epochSeconds(expiresAt) };
      // Each round either counts or sees a state another writer just changed; a handful of
      // rounds is plenty (a restart happens once per quiet spell).
      for (let round = 0; round < 5; round++) {
        const added = await update(
          key,
          'ADD failures :one SET lastFailureAt = :at, #ttl = :ttl',
          `attribute_not_exists(pk) OR ${live.condition}`,
          { ...live.values, ...common },
        );
        if (added.counted) return { ...added.counted, counted: true };
        const old =
          added.old ??
          (await getItem(db, table, keys.loginFailures(key)).then((item) =>
            item ? toFailures(item) : null,
          ));
        if (!old) continue;
        if (isForgotten(old, at, policy)) {
          const restarted = await update(
            key,
            'SET failures = :one, lastFailureAt = :at, #ttl = :ttl',
            forgotten.condition,
            { ...forgotten.values, ...common },
          );
          if (restarted.counted) return { ...restarted.counted, counted: true };
          continue;
        }
        if (unlessLocked && secondsLocked(old, at, policy) > 0) return { ...old, counted: false };
      }
      throw new GatehouseError('conflict', 'A concurrent sign-in won; try again.');
    },
    async clearLoginFailures(key) {
      await db.send(new DeleteCommand({ TableName: table, Key: keys.loginFailures(key) }));
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
