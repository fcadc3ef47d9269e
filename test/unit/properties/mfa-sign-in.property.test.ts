import { it } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory-store';
import { mfaSignInProperty } from '../../support/mfa-sign-in-property';
import { propertyRuns } from '../../support/property-runs';

it('opens no session for a user with a factor without a verify of a live mfa_token (in memory)', async () => {
  await mfaSignInProperty(async () => createMemoryStore(), propertyRuns(40));
}, 120_000);
