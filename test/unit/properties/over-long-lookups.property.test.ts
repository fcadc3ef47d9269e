import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { overLongLookupsProperty } from '../../support/over-long-lookups-property';

it('answers a lookup of any value, however long, as a miss or a 400, never a failure (in memory)', async () => {
  await overLongLookupsProperty(async () => createMemoryStore(), 60);
});
