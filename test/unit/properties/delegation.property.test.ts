import { describe, it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { delegationProperty } from '../../support/delegation-property';

describe('delegated callers and consent withdrawal (in memory)', () => {
  it('third-party codes and refreshes live only with the consent; delegated callers never mint nor sign out everywhere', async () => {
    await delegationProperty(async () => createMemoryStore(), { numRuns: 150, maxOps: 30 });
  }, 60_000);
});
