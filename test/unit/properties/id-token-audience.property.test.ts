import fc from 'fast-check';
import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { checkIdTokenSteps, idTokenSteps } from '../../support/id-token-audience-property';
import { propertyRuns } from '../../support/property-runs';

it('an ID token names only the client that redeemed the grant (memory store)', async () => {
  await fc.assert(
    fc.asyncProperty(idTokenSteps, (steps) => checkIdTokenSteps(createMemoryStore(), steps)),
    { numRuns: propertyRuns(40) },
  );
});
