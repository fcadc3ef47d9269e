import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { propertyRuns } from '../../support/property-runs';
import { stepUpProperty } from '../../support/step-up-property';

it('adds, removes and renews nothing without a valid step-up proof, whatever the sequence (in memory)', async () => {
  await stepUpProperty(async () => createMemoryStore(), propertyRuns(60));
}, 120_000);
