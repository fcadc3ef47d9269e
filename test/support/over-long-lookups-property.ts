import fc from 'fast-check';
import { expect } from 'vitest';
import { GatehouseError } from '../../src/core/shared/errors';
import type { Store } from '../../src/core/shared/store';
import { propertyRuns } from './property-runs';

/**
 * Invariant: a value a client names, however long and in whatever characters, reaches a
 * lookup as a miss (null, an empty page), or a 400 `record_invalid`, never another failure
 * (DynamoDB's ValidationException for a key past its size is a 500). Random strings of up to
 * 3,000 characters from all of Unicode (up to 4 bytes each) through every lookup by a
 * client's value, in a random order.
 */
export const overLongLookupsProperty = async (fresh: () => Promise<Store>, runs: number) => {
  const store = await fresh();
  const lookups: [string, (value: string) => Promise<unknown>][] = [
    ['getUser', (v) => store.getUser(v)],
    ['findLogin', (v) => store.findLogin({ kind: 'email', key: v })],
    ['getSession', (v) => store.getSession(v)],
    ['getApiToken', (v) => store.getApiToken(v)],
    ['getClient', (v) => store.getClient(v)],
    ['getConsent', (v) => store.getConsent(v, v)],
    ['getMfaState', (v) => store.getMfaState(v)],
    ['findWebAuthnCredential', (v) => store.findWebAuthnCredential(v)],
    ['takeWebAuthnChallenge', (v) => store.takeWebAuthnChallenge(v, Date.now())],
    ['clearLoginFailures', (v) => store.clearLoginFailures(v)],
    ['listUsers by prefix', (v) => store.listUsers({ limit: 10, prefix: v })],
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          lookup: fc.integer({ min: 0, max: lookups.length - 1 }),
          value: fc.oneof(
            fc.string({ unit: 'binary', minLength: 1, maxLength: 3000 }),
            fc.string({ unit: 'grapheme', minLength: 300, maxLength: 1200 }),
            fc.integer({ min: 1, max: 3000 }).map((n) => 'x'.repeat(n)),
          ),
        }),
        { minLength: 1, maxLength: 8 },
      ),
      async (calls) => {
        for (const { lookup, value } of calls) {
          const [name, call] = lookups[lookup] as (typeof lookups)[number];
          const outcome = await call(value).then(
            () => 'answered',
            (error: unknown) =>
              error instanceof GatehouseError && error.code === 'record_invalid'
                ? 'refused'
                : `failed: ${String(error)}`,
          );
          expect(['answered', 'refused'], `${name} of ${value.length} characters`).toContain(
            outcome,
          );
        }
      },
    ),
    { numRuns: propertyRuns(runs) },
  );
};
