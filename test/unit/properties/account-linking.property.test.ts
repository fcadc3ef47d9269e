import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { linkingProperty } from '../../support/linking-property';
import { propertyRuns } from '../../support/property-runs';

it('account linking: no non-owner credential rises, one account per email and per identity (memory)', async () => {
  await linkingProperty(async () => createMemoryStore(), propertyRuns(200));
}, 120_000);
