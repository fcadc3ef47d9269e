import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { checkScenario, scenario } from '../../support/oauth-scope-property';

describe('OAuth scope (property, memory store)', () => {
  it('grants within the user’s grants, never widens on refresh, nothing unallowed to third parties', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (run) => checkScenario(createMemoryStore(), run)),
      { numRuns: 200 },
    );
  });
});
