import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { MAX_FACTORS } from '../core/mfa/factor-cap';
import type { PendingFactorRecord } from '../core/mfa/factors';
import type { MfaStore } from '../core/mfa/mfa-store';
import type { MfaTokenRecord } from '../core/mfa/mfa-tokens';
import type { TableNames } from './dynamo-settings';
import {
  epochSeconds,
  failedConditions,
  getItem,
  type Item,
  isConditionFailure,
  notExists,
  type TransactItem,
  transact,
  withoutKeys,
} from './dynamo-shared';
import { createDynamoWebAuthn } from './dynamo-webauthn';
import { countIsBelowCap, factorDeletes, proofUpdate, toState } from './mfa-items';
import { keys } from './schema';

/** Factors cleared in one transaction: 2 items each (factor, passkey lookup) + the state item. */
const CLEAR_CHUNK = 40;

/**
 * MFA on DynamoDB (docs/data-model.md): confirmed factors and the recovery set in the users
 * table's `MFA#<userId>` partition; pending factors and mfa_tokens in the tokens table, gone
 * by TTL. Every check-then-write is one conditional write or transaction.
 */
export const createDynamoMfa = (db: DynamoDBDocumentClient, names: TableNames): MfaStore => {
  const outcomeOf = async (
    items: TransactItem[],
    onFailed: (failed: number[]) => 'gone' | 'raced',
  ) => {
    try {
      await transact(db, items);
      return 'done' as const;
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed?.length) throw error;
      return onFailed(failed);
    }
  };

  return {
    ...createDynamoWebAuthn(db, names),
    async getMfaState(userId) {
      const items: Item[] = [];
      let after: Item | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: names.users,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.mfaState(userId).pk },
            ConsistentRead: true,
            ExclusiveStartKey: after,
          }),
        );
        items.push(...(page.Items ?? []));
        after = page.LastEvaluatedKey;
      } while (after);
      return toState(items);
    },
    async createPendingFactor(factor: PendingFactorRecord) {
      await db.send(
        new PutCommand({
          TableName: names.tokens,
          Item: {
            ...keys.pendingFactor(factor.factorId),
            ...factor,
            ttl: epochSeconds(factor.expiresAt),
          },
          ConditionExpression: notExists,
        }),
      );
    },
    async getPendingFactor(factorId) {
      const item = await getItem(db, names.tokens, keys.pendingFactor(factorId));
      return item ? withoutKeys<PendingFactorRecord>(item) : null;
    },
    confirmFactor: async ({ factor, at, expectedCount, recovery }) =>
      expectedCount >= MAX_FACTORS
        ? 'full'
        : outcomeOf(
            [
              {
                // Invariant: a pending factor is confirmed once, by its user, within its 10 minutes.
                Delete: {
                  TableName: names.tokens,
                  Key: keys.pendingFactor(factor.factorId),
                  ConditionExpression: 'attribute_exists(pk) AND userId = :u AND expiresAt > :at',
                  ExpressionAttributeValues: { ':u': factor.userId, ':at': at },
                },
              },
              {
                Put: {
                  TableName: names.users,
                  Item: { ...keys.mfaFactor(factor.userId, factor.factorId), ...factor },
                  ConditionExpression: notExists,
                },
              },
              {
                Update: {
                  TableName: names.users,
                  Key: keys.mfaState(factor.userId),
                  ConditionExpression: countIsBelowCap(expectedCount).ConditionExpression,
                  UpdateExpression: recovery
                    ? 'SET factorCount = :next, recoverySalt = :salt, recoveryHashes = :hashes'
                    : 'SET factorCount = :next',
                  ExpressionAttributeValues: {
                    ...countIsBelowCap(expectedCount).capValues,
                    ':next': expectedCount + 1,
                    ...(recovery
                      ? { ':salt': recovery.salt, ':hashes': new Set(recovery.hashes) }
                      : {}),
                  },
                },
              },
            ],
            (failed) => (failed.includes(2) && !failed.includes(0) ? 'raced' : 'gone'),
          ),
    removeFactor: (userId, factorId, expectedCount, credentialId) =>
      outcomeOf(
        [
          // Invariant: a removed factor's passkey stops signing in (its lookup goes with it).
          ...factorDeletes(names.users, userId, factorId, credentialId),
          // Invariant: the last factor's removal takes the recovery codes (the whole state item).
          expectedCount === 1
            ? {
                Delete: {
                  TableName: names.users,
                  Key: keys.mfaState(userId),
                  ConditionExpression: 'factorCount = :n',
                  ExpressionAttributeValues: { ':n': 1 },
                },
              }
            : {
                Update: {
                  TableName: names.users,
                  Key: keys.mfaState(userId),
                  ConditionExpression: 'factorCount = :n',
                  UpdateExpression: 'SET factorCount = :next',
                  ExpressionAttributeValues: { ':n': expectedCount, ':next': expectedCount - 1 },
                },
              },
        ],
        (failed) => (failed.includes(0) ? 'gone' : 'raced'),
      ),
    async clearFactors(userId, factorIds, credentialIds = []) {
      // Each factor with its credential lookup, if any (credentialIds in factorIds' order).
      const deletes = (from: number, to: number) =>
        factorIds
          .slice(from, to)
          .flatMap((factorId, index) =>
            factorDeletes(names.users, userId, factorId, credentialIds[from + index] || undefined),
          );
      // Invariant: a reset never exceeds DynamoDB's 100-item transaction, however many factors
      // an account made before the cap: all but the last chunk move the count down as read.
      let left = factorIds.length;
      for (let from = 0; left > CLEAR_CHUNK; from += CLEAR_CHUNK, left -= CLEAR_CHUNK) {
        const outcome = await outcomeOf(
          [
            ...deletes(from, from + CLEAR_CHUNK),
            {
              Update: {
                TableName: names.users,
                Key: keys.mfaState(userId),
                ConditionExpression: 'factorCount = :n',
                UpdateExpression: 'SET factorCount = :next',
                ExpressionAttributeValues: { ':n': left, ':next': left - CLEAR_CHUNK },
              },
            },
          ],
          () => 'raced',
        );
        if (outcome !== 'done') return outcome;
      }
      return outcomeOf(
        [
          ...deletes(factorIds.length - left, factorIds.length),
          {
            // Exactly the factors listed: one confirmed meanwhile makes the caller list again.
            Delete: {
              TableName: names.users,
              Key: keys.mfaState(userId),
              ConditionExpression: 'attribute_not_exists(factorCount) OR factorCount = :n',
              ExpressionAttributeValues: { ':n': left },
            },
          },
        ],
        () => 'raced',
      );
    },
    async replaceRecoveryCodes(userId, set) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: names.users,
            Key: keys.mfaState(userId),
            // Invariant: recovery codes exist only while the user has a confirmed factor.
            ConditionExpression: 'factorCount > :zero',
            UpdateExpression: 'SET recoverySalt = :salt, recoveryHashes = :hashes',
            ExpressionAttributeValues: {
              ':zero': 0,
              ':salt': set.salt,
              ':hashes': new Set(set.hashes),
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async spendMfaProof(proof, at) {
      try {
        await db.send(new UpdateCommand(proofUpdate(names.users, proof, at)));
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async createMfaToken(token: MfaTokenRecord) {
      const { usedAt: _unused, ...fields } = token;
      await db.send(
        new PutCommand({
          TableName: names.tokens,
          Item: {
            ...keys.mfaToken(token.hash),
            ...fields,
            ttl: epochSeconds(token.expiresAt) + 3600,
          },
          ConditionExpression: notExists,
        }),
      );
    },
    async getMfaToken(hash) {
      const item = await getItem(db, names.tokens, keys.mfaToken(hash));
      if (!item) return null;
      const token = withoutKeys<MfaTokenRecord>(item);
      return { ...token, usedAt: token.usedAt ?? null };
    },
    async completeMfaChallenge({ tokenHash, at, proof, lockout }) {
      try {
        await transact(db, [
          {
            Update: {
              TableName: names.tokens,
              Key: keys.mfaToken(tokenHash),
              // Invariant: an mfa_token is spent at most once, by its user, within its 300 s.
              ConditionExpression:
                'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :at AND userId = :u',
              UpdateExpression: 'SET usedAt = :at',
              ExpressionAttributeValues: { ':at': at, ':u': proof.userId },
            },
          },
          { Update: proofUpdate(names.users, proof, at) },
          {
            // Invariant: an mfa_token is dead once the account locked after it was issued.
            ConditionCheck: {
              TableName: names.tokens,
              Key: keys.loginFailures(lockout.key),
              ConditionExpression: 'attribute_not_exists(pk) OR failures <= :max',
              ExpressionAttributeValues: { ':max': lockout.maxFailures },
            },
          },
        ]);
        return 'done';
      } catch (error) {
        const failed = failedConditions(error);
        if (!failed?.length) throw error;
        return failed.includes(0) || failed.includes(2) ? 'token_invalid' : 'proof_refused';
      }
    },
  };
};
