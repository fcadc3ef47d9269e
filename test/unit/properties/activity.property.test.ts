import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { activityProperty } from '../../support/activity-property';

it('the dashboard counts exactly what a sequence did, window by window (in memory)', async () => {
  await activityProperty(async () => createMemoryStore(), 40);
}, 120_000);
