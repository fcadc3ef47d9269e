import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { lockoutsViewProperty } from '../../support/lockouts-view-property';
import { propertyRuns } from '../../support/property-runs';

it('lists exactly the logins sign-in refuses as locked (memory)', async () => {
  await lockoutsViewProperty(async () => createMemoryStore(), propertyRuns(60));
}, 120_000);
