import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../../../../src/core/tokens/access-token-verifier';
import {
  ensureSigningKeySet,
  newSigningKeySet,
  publicJwks,
  type SigningKeySet,
} from '../../../../src/core/tokens/signing-keys';
import { createFileKeySource } from '../../../../src/store/file-key-source';

/**
 * Red team 14: BASE (2e722c3) signs access tokens with `set.keys[0]` as ES256. The upgrade
 * (ensureSigningKeySet on a stored ES256-only set) puts the new RSA key FIRST, so any
 * instance still on BASE (a rolling deploy, or a rollback) signs "ES256" tokens with an RSA
 * key: every access token it issues is refused. A rollback after the first new cold start is
 * a full outage until the keys are rotated by hand.
 */
const T0 = Date.UTC(2026, 0, 1);
const claims = {
  iss: 'i',
  aud: 'i',
  sub: 's',
  jti: 'j',
  iat: T0 / 1000,
  exp: T0 / 1000 + 900,
  scope: '',
  role: 'viewer',
  username: null,
  email: 'e@example.com',
  user_type: 'human',
  groups: [],
  sid: 'sid',
};
const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** BASE's signAccessToken(currentSigner(set)) verbatim: keys[0], alg ES256. */
const baseSign = (set: SigningKeySet): string => {
  const [current] = set.keys;
  if (!current) throw new Error('empty');
  const input = `${encode({ alg: 'ES256', typ: 'at+jwt', kid: current.kid })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: createPrivateKey({ key: current.privateJwk, format: 'jwk' }),
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
};

describe('an ES256-only set upgraded by ensureSigningKeySet', () => {
  it('keeps an ES256 key at keys[0], so BASE instances still sign valid tokens', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rt14-')), 'keys.json');
    const old = newSigningKeySet(T0);
    const esOnly: SigningKeySet = {
      generation: 3,
      keys: old.keys.filter((k) => k.publicJwk.kty === 'EC'),
    };
    writeFileSync(path, JSON.stringify(esOnly));
    const upgraded = await ensureSigningKeySet(createFileKeySource(path), T0 + 1000);
    expect(upgraded.keys.some((k) => k.publicJwk.kty === 'RSA')).toBe(true);
    // What a BASE instance would sign with after loading the upgraded set:
    const keys = new Map(
      publicJwks(upgraded).keys.map((k) => [
        k.kid,
        createPublicKey({ key: k as never, format: 'jwk' }),
      ]),
    );
    const verifier = createAccessTokenVerifier((kid) => keys.get(kid), {
      issuer: 'i',
      audience: 'i',
      clockToleranceSeconds: 0,
      now: () => T0,
      cacheSize: 0,
    });
    // Signed as BASE does: refused (an RSA signature under an ES256 header).
    expect(() => verifier.verify(baseSign(upgraded))).not.toThrow();
    expect(upgraded.keys[0]?.publicJwk.kty).toBe('EC');
  });
});
