import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type SigningKeySet, withdrawSigningKeys } from '../../src/core/tokens/signing-keys';
import { storeFromEnv } from '../../src/http/composition';
import { createFileKeySource } from '../../src/store/file-key-source';
import { useLocalStack } from '../support/local-stack';

/**
 * A withdrawal after a compromise while the local stack runs (what `npm run keys:rotate --
 * --withdraw` does): the old keys leave the JWKS at once, the warm authorizer refuses their
 * tokens within its refresh, and the warm signers sign with the new keys within theirs. The
 * stack's clock is Date's, moved forward with fake timers (nothing else is faked).
 */
// Before the stack starts: its authorizer keeps the `Date.now` it finds at its first import.
vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
const OWNER = { email: 'owner@key-withdrawal.test', password: 'key withdrawal owner passphrase' };
const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});

const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const minutes = (n: number) => vi.setSystemTime(Date.now() + n * 60_000);

let withdrawn: SigningKeySet;
let before: string;

beforeAll(async () => {
  before = await signIn(OWNER.email, OWNER.password);
  // The authorizer and the signers are warm from here on.
  expect((await call('GET', '/me', { token: before })).status).toBe(200);
  const store = storeFromEnv(process.env);
  withdrawn = await withdrawSigningKeys(
    {
      source: createFileKeySource(process.env.SIGNING_KEYS_FILE ?? ''),
      publishedGeneration: async () => (await store.getPublishedKeys())?.generation ?? 0,
      publish: (generation, keys) => store.publishKeys(generation, keys),
    },
    Date.now(),
  );
});
afterAll(() => {
  vi.useRealTimers();
});

describe('signing-key withdrawal on the running local stack', () => {
  it('drops the old keys from the JWKS at once and publishes the new ones', async () => {
    const kids = (await call('GET', '/.well-known/jwks.json')).body.keys.map(
      (k: { kid: string }) => k.kid,
    );
    expect(kids).not.toContain(kidOf(before));
    expect(kids).toEqual(withdrawn.keys.map((k) => k.kid));
  });

  it('within the refresh, the warm authorizer refuses the old tokens and signers use the new keys', async () => {
    minutes(6);
    expect((await call('GET', '/me', { token: before })).status).toBe(401);
    const after = await signIn(OWNER.email, OWNER.password);
    expect(withdrawn.keys.map((k) => k.kid)).toContain(kidOf(after));
    expect((await call('GET', '/me', { token: after })).status).toBe(200);
  });
});
