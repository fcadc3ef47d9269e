import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { mfaProperty } from '../../support/mfa-property';
import { propertyRuns } from '../../support/property-runs';

it('spends TOTP steps, recovery codes and mfa_tokens at most once, whatever the sequence (in memory)', async () => {
  await mfaProperty(async () => createMemoryStore(), propertyRuns(40));
}, 120_000);
