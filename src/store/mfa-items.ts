import { MAX_FACTORS } from '../core/mfa/factor-cap';
import type { MfaFactorRecord, MfaState } from '../core/mfa/factors';
import type { MfaProof } from '../core/mfa/mfa-store';
import type { Item, TransactItem } from './dynamo-shared';
import { withoutKeys } from './items';
import { keys } from './schema';

/** How a proof is spent, as one Update (alone, or inside the challenge's transaction). */
export const proofUpdate = (
  users: string,
  proof: MfaProof,
  at: number,
): NonNullable<TransactItem['Update']> => {
  if (proof.kind === 'totp')
    return {
      TableName: users,
      Key: keys.mfaFactor(proof.userId, proof.factorId),
      // Invariant: a TOTP step is accepted at most once per factor (only a later step passes).
      ConditionExpression: 'attribute_exists(pk) AND totp.lastStep < :step',
      UpdateExpression: 'SET totp.lastStep = :step, lastUsedAt = :at',
      ExpressionAttributeValues: { ':step': proof.step, ':at': at },
    };
  if (proof.kind === 'webauthn')
    return {
      TableName: users,
      Key: keys.mfaFactor(proof.userId, proof.factorId),
      // Invariant: a WebAuthn counter only moves forward, or stays 0 for an authenticator that
      // keeps none (counterAdvances): a clone's stale counter is refused, even in a race.
      ConditionExpression:
        proof.counter === 0
          ? 'attribute_exists(pk) AND webauthn.#counter = :zero'
          : 'attribute_exists(pk) AND webauthn.#counter < :counter',
      UpdateExpression: 'SET webauthn.#counter = :counter, lastUsedAt = :at',
      ExpressionAttributeNames: { '#counter': 'counter' },
      ExpressionAttributeValues: {
        ':counter': proof.counter,
        ':at': at,
        ...(proof.counter === 0 ? { ':zero': 0 } : {}),
      },
    };
  return {
    TableName: users,
    Key: keys.mfaState(proof.userId),
    // Invariant: each recovery code works at most once, and only in the current set.
    ConditionExpression: 'recoverySalt = :salt AND contains(recoveryHashes, :hash)',
    UpdateExpression: 'DELETE recoveryHashes :spent',
    ExpressionAttributeValues: {
      ':salt': proof.salt,
      ':hash': proof.hash,
      ':spent': new Set([proof.hash]),
    },
  };
};

/**
 * The count condition of an added factor on the state item: as many factors as the caller read
 * (`:n`), and fewer than the cap. Invariant: no user holds more than MAX_FACTORS confirmed
 * factors, however many are added at once.
 */
export const countIsBelowCap = (expected: number) => ({
  ConditionExpression:
    expected === 0
      ? 'attribute_not_exists(factorCount) OR (factorCount = :n AND factorCount < :cap)'
      : 'factorCount = :n AND factorCount < :cap',
  capValues: { ':n': expected, ':cap': MAX_FACTORS },
});

export const toState = (items: Item[]): MfaState => {
  const state = items.find((item) => item.sk === 'STATE');
  const hashes = state?.recoveryHashes as Set<string> | undefined;
  return {
    factors: items
      .filter((item) => String(item.sk).startsWith('FACTOR#'))
      .map((item) => withoutKeys<MfaFactorRecord>(item))
      .sort((a, b) => a.createdAt - b.createdAt),
    recovery:
      hashes?.size && state ? { salt: String(state.recoverySalt), hashes: [...hashes] } : null,
  };
};

/**
 * Deletes a factor item; when it holds a WebAuthn credential, its lookup item goes in the
 * same transaction. Without a credential id the factor must hold none, so no lookup is orphaned.
 */
export const factorDeletes = (
  users: string,
  userId: string,
  factorId: string,
  credentialId: string | undefined,
): TransactItem[] => [
  {
    Delete: {
      TableName: users,
      Key: keys.mfaFactor(userId, factorId),
      ...(credentialId
        ? {
            ConditionExpression: 'attribute_exists(pk) AND webauthn.credentialId = :cid',
            ExpressionAttributeValues: { ':cid': credentialId },
          }
        : { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(webauthn)' }),
    },
  },
  ...(credentialId
    ? [{ Delete: { TableName: users, Key: keys.webAuthnCredential(credentialId) } }]
    : []),
];
