import { describe, it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { credentialBindingProperty } from '../../support/credential-binding-property';

describe('credential binding (in memory)', () => {
  it('a client-bound refresh token works only for its existing client, at /oauth/token; refusals change nothing', async () => {
    await credentialBindingProperty(async () => createMemoryStore(), { numRuns: 150, maxOps: 30 });
  }, 60_000);
});
