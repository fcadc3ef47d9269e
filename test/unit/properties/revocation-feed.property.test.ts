import fc from 'fast-check';
import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { propertyRuns } from '../../support/property-runs';
import { checkFeedRun, feedRun } from '../../support/revocation-feed-property';

it('every authorizer instance refuses an ended session past the window and allows a live one (memory store)', async () => {
  await fc.assert(
    fc.asyncProperty(feedRun, (run) => checkFeedRun(createMemoryStore(), run)),
    { numRuns: propertyRuns(150) },
  );
}, 120_000);
