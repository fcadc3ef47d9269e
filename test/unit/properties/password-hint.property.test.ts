import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { passwordHintProperty } from '../../support/password-hint-property';
import { propertyRuns } from '../../support/property-runs';

it('signs in iff the password is the user item’s current one (in memory)', async () => {
  await passwordHintProperty(async () => ({ store: createMemoryStore() }), propertyRuns(40));
}, 120_000);
