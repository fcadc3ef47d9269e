import fc from 'fast-check';
import { describe, it } from 'vitest';
import { KNOWN_ATTACKS } from '../../support/attack/known-attacks';
import { attackProperty, runAttack } from '../../support/attack/property';
import { useDynamoDbLocal } from '../../support/dynamodb';

/**
 * The same attacks as test/unit/properties/attack.test.ts, on DynamoDB Local: the known
 * sequences, then fewer and shorter random runs (each with its own tables), within about a
 * minute in all. Shrinking stops at the first failure to keep to that; the memory runs shrink.
 */
const RUNS = 5;
const STEPS = 12;
const dynamo = useDynamoDbLocal();
const options = { numRuns: RUNS, endOnFailure: true };

describe('known attacks on DynamoDB Local', () => {
  it.each(KNOWN_ATTACKS)('$name', async ({ invariant, settings, ops }) => {
    await runAttack(await dynamo.freshStore(), invariant, settings, ops);
  });
});

describe('attack properties on DynamoDB Local', () => {
  it('(a) no credential authenticates above what an owner or a group mapping gave its maker', async () => {
    await fc.assert(attackProperty('roles', dynamo.freshStore, STEPS), options);
  }, 120_000);

  it('(b) no credential works past the revocation bound after an action that ended it', async () => {
    await fc.assert(attackProperty('revocation', dynamo.freshStore, STEPS), options);
  }, 120_000);

  it('(d) one account per normalized email and per federated identity', async () => {
    await fc.assert(attackProperty('one-account', dynamo.freshStore, STEPS), options);
  }, 120_000);
});
