import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { codeLockoutProperty } from '../../support/code-lockout-property';
import { propertyRuns } from '../../support/property-runs';

it('checks at most LOCKOUT_THRESHOLD wrong codes, whatever passwords, sign-ins and resets come between (in memory)', async () => {
  await codeLockoutProperty(async () => createMemoryStore(), propertyRuns(20));
}, 120_000);
