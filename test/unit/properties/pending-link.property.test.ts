import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { pendingLinkProperty } from '../../support/pending-link-property';

it('pending account link: linked only by the password with a live secret; spent secrets never link (memory)', async () => {
  await pendingLinkProperty(async () => createMemoryStore(), 150);
}, 120_000);
