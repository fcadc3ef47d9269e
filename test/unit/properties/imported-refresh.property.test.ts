import { describe, it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { importedRefreshProperty } from '../../support/imported-refresh-property';
import { propertyRuns } from '../../support/property-runs';

describe('imported refresh credentials (in memory)', () => {
  it('a users.json refresh_token works iff it is the row’s current value and nothing ended it since; always the current role', async () => {
    await importedRefreshProperty(async () => createMemoryStore(), {
      numRuns: propertyRuns(150),
      maxOps: 30,
    });
  }, 60_000);
});
