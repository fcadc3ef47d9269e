import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { propertyRuns } from '../../support/property-runs';
import { webAuthnProperty } from '../../support/webauthn-property';

it('accepts no WebAuthn assertion twice, no counter backwards, no removed credential (in memory)', async () => {
  await webAuthnProperty(async () => createMemoryStore(), propertyRuns(30));
}, 120_000);
