import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { mfaSessionsProperty } from '../../support/mfa-sessions-property';
import { propertyRuns } from '../../support/property-runs';

it('older refresh tokens end their session, held-back sessions hold only profile, a clear leaves no factor and no session (in memory)', async () => {
  await mfaSessionsProperty(async () => createMemoryStore(), propertyRuns(60));
}, 120_000);
