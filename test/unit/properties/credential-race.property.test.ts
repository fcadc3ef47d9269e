import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { credentialRaceProperty } from '../../support/credential-race-property';

it('leaves no working session from before a reset, password change, takeover or role change, whatever the interleaving (in memory)', async () => {
  await credentialRaceProperty(async () => createMemoryStore(), 60);
}, 120_000);
