import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { newId } from '../../src/core/shared/ids';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { keys } from '../../src/store/schema';

/**
 * Invariant: a reset clears every factor and passkey lookup however many an account made
 * before the cap existed (red team 15b planted 50): DynamoDB's 100-item transaction limit
 * never leaves keys alive. The items are written as the store writes them, past the cap.
 */
const client = createDynamoClient({ endpoint: inject('sharedDynamoEndpoint') });
afterAll(() => client.destroy());

describe('clearing a user’s factors on DynamoDB', () => {
  it('clears 95 passkeys and their lookups, beyond one transaction’s 100 items', async () => {
    const prefix = randomUUID().slice(0, 8);
    const names = {
      users: `${prefix}-Users`,
      tokens: `${prefix}-Tokens`,
      audit: `${prefix}-Audit`,
    };
    await createTables(client, names);
    const db = createDocumentClient(client);
    const store = createDynamoStore(db, names);
    const userId = newId();
    const planted = Array.from({ length: 95 }, () => ({
      factorId: newId(),
      credentialId: `cred-${newId()}`,
    }));
    for (const { factorId, credentialId } of planted) {
      const factor = {
        factorId,
        userId,
        type: 'webauthn',
        name: 'planted',
        createdAt: 1,
        lastUsedAt: null,
        confirmedAt: 1,
        webauthn: { credentialId, publicKey: 'pQECAyYgASFYIA', counter: 0, transports: [] },
      };
      const lookup = { credentialId, userId, factorId };
      await db.send(
        new PutCommand({
          TableName: names.users,
          Item: { ...keys.mfaFactor(userId, factorId), ...factor },
        }),
      );
      await db.send(
        new PutCommand({
          TableName: names.users,
          Item: { ...keys.webAuthnCredential(credentialId), ...lookup },
        }),
      );
    }
    await db.send(
      new PutCommand({
        TableName: names.users,
        Item: {
          ...keys.mfaState(userId),
          factorCount: planted.length,
          recoverySalt: 's',
          recoveryHashes: new Set(['h']),
        },
      }),
    );
    expect((await store.getMfaState(userId)).factors).toHaveLength(planted.length);

    const outcome = await store.clearFactors(
      userId,
      planted.map((p) => p.factorId),
      planted.map((p) => p.credentialId),
    );
    expect(outcome).toBe('done');
    expect(await store.getMfaState(userId)).toEqual({ factors: [], recovery: null });
    const lookups = await Promise.all(
      planted.map((p) => store.findWebAuthnCredential(p.credentialId)),
    );
    expect(lookups.filter((found) => found !== null)).toEqual([]);
  });
});
