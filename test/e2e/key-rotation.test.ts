import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/core/shared/config';
import { KEY_PUBLISH_LEAD_SECONDS, rotationTiming } from '../../src/core/tokens/key-timing';
import { rotateSigningKeys, type SigningKeySet } from '../../src/core/tokens/signing-keys';
import { storeFromEnv } from '../../src/http/composition';
import { createFileKeySource } from '../../src/store/file-key-source';
import { useLocalStack } from '../support/local-stack';

/**
 * A staged rotation while the local stack runs (what `npm run keys:rotate` does, the same core
 * function the AWS rotation stages with): the running signers and the warm authorizer pick the
 * new keys up at their activation without a restart, and earlier tokens keep verifying. The
 * stack's clock is Date's, moved forward with fake timers (nothing else is faked).
 */
// Before the stack starts: its authorizer keeps the `Date.now` it finds at its first import.
vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
const OWNER = { email: 'owner@key-rotation.test', password: 'key rotation owner passphrase' };
const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});

const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const minutes = (n: number) => vi.setSystemTime(Date.now() + n * 60_000);

let rotated: SigningKeySet;
let before: string;

beforeAll(async () => {
  before = await signIn(OWNER.email, OWNER.password);
  // The authorizer and the signers are warm from here on.
  expect((await call('GET', '/me', { token: before })).status).toBe(200);
  const store = storeFromEnv(process.env);
  rotated = await rotateSigningKeys(
    createFileKeySource(process.env.SIGNING_KEYS_FILE ?? ''),
    (generation, keys) => store.publishKeys(generation, keys),
    Date.now(),
    rotationTiming(loadConfig(process.env)),
  );
});
afterAll(() => {
  vi.useRealTimers();
});

describe('signing-key rotation on the running local stack', () => {
  it('publishes the next keys at once and keeps signing with the old ones until the lead passes', async () => {
    const nextKid = rotated.keys[0]?.kid;
    const jwks = await call('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(nextKid);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(kidOf(before));
    minutes(6);
    const stillOld = await signIn(OWNER.email, OWNER.password);
    expect(kidOf(stillOld)).toBe(kidOf(before));
  });

  it('after activation new tokens carry the new kid; the warm authorizer accepts old and new', async () => {
    vi.setSystemTime(rotated.keys[0]?.activatesAt ?? 0);
    minutes(-2);
    const lastOld = await signIn(OWNER.email, OWNER.password);
    expect(kidOf(lastOld)).toBe(kidOf(before));
    minutes(3);
    const fresh = await signIn(OWNER.email, OWNER.password);
    expect(kidOf(fresh)).toBe(rotated.keys[0]?.kid);
    expect(kidOf(fresh)).not.toBe(kidOf(before));
    const me = await call('GET', '/me', { token: fresh });
    expect(me.body).toMatchObject({ user: { email: OWNER.email } });
    expect((await call('GET', '/me', { token: lastOld })).status).toBe(200);
    expect(KEY_PUBLISH_LEAD_SECONDS).toBeGreaterThan(300);
  });
});
