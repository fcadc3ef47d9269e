import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { lockoutProperty } from '../../support/lockout-property';

it('loses no failure and skips no lock, whatever the interleaving (in memory)', async () => {
  await lockoutProperty(async () => createMemoryStore(), 60);
}, 60_000);
