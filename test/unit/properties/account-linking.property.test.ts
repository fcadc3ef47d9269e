import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { linkingProperty } from '../../support/linking-property';

it('account linking: no non-owner credential rises, one account per email and per identity (memory)', async () => {
  await linkingProperty(async () => createMemoryStore(), 200);
}, 120_000);
