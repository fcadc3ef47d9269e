import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_FACTORS } from '../core/mfa/factor-cap';
import type { MfaStore } from '../core/mfa/mfa-store';
import type {
  WebAuthnChallengeRecord,
  WebAuthnCredentialLookup,
} from '../core/mfa/webauthn-challenges';
import type { TableNames } from './dynamo-settings';
import {
  epochSeconds,
  failedConditions,
  getItem,
  isConditionFailure,
  notExists,
  transact,
  withoutKeys,
} from './dynamo-shared';
import { countIsBelowCap } from './mfa-items';
import { keys } from './schema';

type WebAuthnStore = Pick<
  MfaStore,
  | 'addWebAuthnFactor'
  | 'findWebAuthnCredential'
  | 'createWebAuthnChallenge'
  | 'takeWebAuthnChallenge'
>;

/**
 * WebAuthn on DynamoDB (docs/data-model.md): a factor and its credential-id lookup item are
 * written in one transaction with the user's factor count; challenges sit in the tokens table
 * and are taken by a conditional Delete that answers the old item (to one caller only).
 */
export const createDynamoWebAuthn = (
  db: DynamoDBDocumentClient,
  names: TableNames,
): WebAuthnStore => ({
  async addWebAuthnFactor({ factor, expectedCount, recovery }) {
    if (expectedCount >= MAX_FACTORS) return 'full';
    try {
      await transact(db, [
        {
          // Invariant: a credential id belongs to one factor of one user.
          Put: {
            TableName: names.users,
            Item: {
              ...keys.webAuthnCredential(factor.webauthn.credentialId),
              credentialId: factor.webauthn.credentialId,
              userId: factor.userId,
              factorId: factor.factorId,
            },
            ConditionExpression: notExists,
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
              ...(recovery ? { ':salt': recovery.salt, ':hashes': new Set(recovery.hashes) } : {}),
            },
          },
        },
      ]);
      return 'done';
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed?.length) throw error;
      return failed.includes(0) ? 'taken' : 'raced';
    }
  },
  async findWebAuthnCredential(credentialId) {
    const item = await getItem(db, names.users, keys.webAuthnCredential(credentialId));
    return item ? withoutKeys<WebAuthnCredentialLookup>(item) : null;
  },
  async createWebAuthnChallenge(record) {
    await db.send(
      new PutCommand({
        TableName: names.tokens,
        Item: {
          ...keys.webAuthnChallenge(record.challenge),
          ...record,
          ttl: epochSeconds(record.expiresAt) + 3600,
        },
        ConditionExpression: notExists,
      }),
    );
  },
  async takeWebAuthnChallenge(challenge, at) {
    try {
      // Invariant: a challenge is answered once: the Delete is conditioned on the item being
      // there, so of concurrent takes exactly one succeeds (an unconditioned Delete could answer
      // the old item to more than one), and only within its 300 s.
      const taken = await db.send(
        new DeleteCommand({
          TableName: names.tokens,
          Key: keys.webAuthnChallenge(challenge),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const record = taken.Attributes
        ? withoutKeys<WebAuthnChallengeRecord>(taken.Attributes)
        : null;
      return record && record.expiresAt > at ? record : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  },
});
