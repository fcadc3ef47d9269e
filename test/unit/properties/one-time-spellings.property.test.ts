import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { oneTimeSpellingsProperty } from '../../support/one-time-spellings-property';

it('accepts a one-time token once, in any spelling (in memory)', async () => {
  await oneTimeSpellingsProperty(async () => createMemoryStore(), 40);
}, 60_000);
