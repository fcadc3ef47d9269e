import fc from 'fast-check';
import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { propertyRuns } from '../../support/property-runs';
import { checkLogoutRun, logoutRun } from '../../support/rp-logout-property';

it('RP-initiated logout redirects only to a URI the named client registered (memory store)', async () => {
  await fc.assert(
    fc.asyncProperty(logoutRun, (run) => checkLogoutRun(createMemoryStore(), run)),
    { numRuns: propertyRuns(60) },
  );
});
