import { describe, expect, it } from 'vitest';
import {
  FEDERATION_FLOW_TTL_SECONDS,
  type FederationFlow,
  spendFederationFlow,
  startFederationFlow,
} from '../../../../src/core/identity/federation-flow';
import { sha256 } from '../../../../src/core/shared/ids';
import { testDeps } from '../../../support/core-deps';

const FLOW: FederationFlow = {
  providerId: 'google',
  state: 'the-state',
  nonce: 'the-nonce',
  codeVerifier: 'the-verifier',
  returnTo: '/landing',
  codeChallenge: null,
  clientId: null,
};

describe('federation flow records', () => {
  it('come back once, for their provider, with what was stored', async () => {
    const deps = testDeps();
    const { handle } = await startFederationFlow(deps, FLOW);
    expect(handle).toMatch(/^gff_[\w-]{43}$/);
    expect(await spendFederationFlow(deps, handle, 'google')).toEqual(FLOW);
    await expect(spendFederationFlow(deps, handle, 'google')).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });

  it('are stored by the handle’s hash only, never the handle', async () => {
    const deps = testDeps();
    const { handle } = await startFederationFlow(deps, FLOW);
    const record = await deps.store.consumeOneTimeToken(sha256(handle), deps.clock.now());
    expect(record?.purpose).toBe('federation_flow');
    expect(JSON.stringify(record)).not.toContain(handle);
  });

  it('refuse another provider (and are spent by trying)', async () => {
    const deps = testDeps();
    const { handle } = await startFederationFlow(deps, FLOW);
    await expect(spendFederationFlow(deps, handle, 'okta')).rejects.toMatchObject({
      code: 'token_invalid',
    });
    await expect(spendFederationFlow(deps, handle, 'google')).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });

  it('expire after ten minutes', async () => {
    const deps = testDeps();
    const { handle } = await startFederationFlow(deps, FLOW);
    deps.clock.advance(FEDERATION_FLOW_TTL_SECONDS);
    await expect(spendFederationFlow(deps, handle, 'google')).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });

  it('refuse a missing, malformed or other purpose’s handle', async () => {
    const deps = testDeps();
    for (const handle of [undefined, '', 'gff_short', `glk_${'a'.repeat(43)}`]) {
      await expect(spendFederationFlow(deps, handle, 'google')).rejects.toMatchObject({
        code: 'token_invalid',
      });
    }
  });
});
