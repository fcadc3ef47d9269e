import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { createAccessTokenVerifier } from '../../../../src/core/tokens/access-token-verifier';
import { signAccessToken } from '../../../../src/core/tokens/access-tokens';
import {
  currentSigner,
  ensureSigningKeySet,
  newSigningKeySet,
  publicJwks,
  rotateSigningKeySet,
  rotateSigningKeys,
} from '../../../../src/core/tokens/signing-keys';
import { createFileKeySource } from '../../../../src/store/file-key-source';

// RSA key generation takes seconds on a loaded machine: a time limit for that, not a hang.
vi.setConfig({ testTimeout: 30_000 });

const T0 = Date.UTC(2026, 0, 1);

const tokenClaims = {
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

const tokenFrom = (set: ReturnType<typeof newSigningKeySet>) =>
  signAccessToken(currentSigner(set), tokenClaims);

const verifierFor = (set: ReturnType<typeof newSigningKeySet>) => {
  const keys = new Map(
    publicJwks(set).keys.map((jwk) => [
      jwk.kid,
      createPublicKey({ key: { ...jwk }, format: 'jwk' }),
    ]),
  );
  return createAccessTokenVerifier((kid) => keys.get(kid), {
    issuer: 'i',
    audience: 'i',
    clockToleranceSeconds: 0,
    now: () => T0,
    cacheSize: 0,
  });
};

describe('signing keys', () => {
  it('publishes only the public halves of an ES256 and an RS256 key, each with an RFC 7638 kid', async () => {
    const set = newSigningKeySet(T0);
    const [ec, rsa] = publicJwks(set).keys;
    expect(publicJwks(set).keys).toHaveLength(2);
    expect(ec).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: set.keys[0]?.kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(rsa).toEqual({
      kty: 'RSA',
      n: expect.any(String),
      e: 'AQAB',
      kid: set.keys[1]?.kid,
      alg: 'RS256',
      use: 'sig',
    });
    expect(ec?.kid).not.toBe(rsa?.kid);
    for (const jwk of [ec, rsa]) {
      expect(jwk).not.toHaveProperty('d');
      expect(jwk?.kid).toBe(await calculateJwkThumbprint({ ...jwk } as JWK));
    }
    // 2048 bits: a 256-byte modulus.
    expect(Buffer.from((rsa as { n: string }).n, 'base64url')).toHaveLength(256);
    expect(currentSigner(set, 'RS256')).toMatchObject({ kid: rsa?.kid, alg: 'RS256' });
    expect(currentSigner(set)).toMatchObject({ kid: ec?.kid, alg: 'ES256' });
  });

  it('signs RS256 access tokens the verifier accepts, and refuses a key of the other algorithm', () => {
    const set = newSigningKeySet(T0);
    const rs256 = signAccessToken(currentSigner(set, 'RS256'), {
      ...tokenClaims,
    });
    expect(verifierFor(set).verify(rs256).sub).toBe('s');
    // The RSA key's kid under an ES256 header: algorithm confusion, refused.
    const [header, payload] = rs256.split('.');
    const es256Header = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(header ?? '', 'base64url').toString()),
        alg: 'ES256',
      }),
    ).toString('base64url');
    const ecSignature = signAccessToken(currentSigner(set, 'ES256'), tokenClaims).split('.')[2];
    expect(() => verifierFor(set).verify(`${es256Header}.${payload}.${ecSignature}`)).toThrow(
      'The access token names the wrong algorithm.',
    );
  });

  it('adds the missing RS256 key to a set stored before RSA keys, as its next generation', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'keys.json');
    const legacy = newSigningKeySet(T0);
    const esOnly = { generation: 3, keys: legacy.keys.filter((k) => k.publicJwk.alg === 'ES256') };
    writeFileSync(path, JSON.stringify(esOnly));
    const upgraded = await ensureSigningKeySet(createFileKeySource(path), T0);
    expect(upgraded.generation).toBe(4);
    expect(upgraded.keys.map((k) => k.publicJwk.alg)).toEqual(['ES256', 'RS256']);
    expect(currentSigner(upgraded).kid).toBe(esOnly.keys[0]?.kid);
    expect(await ensureSigningKeySet(createFileKeySource(path), T0)).toEqual(upgraded);
  });

  it('two processes upgrading one ES256-only file at once keep the same RSA key (file source)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'keys.json');
    const legacy = newSigningKeySet(T0);
    writeFileSync(
      path,
      JSON.stringify({
        generation: 1,
        keys: legacy.keys.filter((k) => k.publicJwk.alg === 'ES256'),
      }),
    );
    const [a, b] = await Promise.all([
      ensureSigningKeySet(createFileKeySource(path), T0),
      ensureSigningKeySet(createFileKeySource(path), T0),
    ]);
    expect(currentSigner(a, 'RS256').kid).toBe(currentSigner(b, 'RS256').kid);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(a);
  });

  it('never signs with a retired RSA key: a set rotated by a build from before RSA keys gets a live one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'keys.json');
    const upgraded = newSigningKeySet(T0);
    // What an older build's rotation writes: a new ES256 key first, every earlier key (the RSA
    // one included) retired, kept for the retention window.
    const es = newSigningKeySet(T0 + 1000).keys.find((k) => k.publicJwk.alg === 'ES256');
    writeFileSync(
      path,
      JSON.stringify({
        generation: 3,
        keys: [es, ...upgraded.keys.map((k) => ({ ...k, retiredAt: T0 + 1000 }))],
      }),
    );
    const set = await ensureSigningKeySet(createFileKeySource(path), T0 + 2000);
    expect(set.generation).toBe(4);
    const signer = set.keys.find((k) => k.kid === currentSigner(set, 'RS256').kid);
    expect(signer?.retiredAt).toBeNull();
    expect(currentSigner(set, 'ES256').kid).toBe(es?.kid);
  });

  it('keeps old public keys through a rotation, so earlier tokens still verify', () => {
    const first = newSigningKeySet(T0);
    const oldToken = tokenFrom(first);
    const second = rotateSigningKeySet(first, T0 + 1000, { leadSeconds: 0, retainSeconds: 3600 });
    expect(second.generation).toBe(2);
    expect(currentSigner(second).kid).not.toBe(currentSigner(first).kid);
    expect(currentSigner(second, 'RS256').kid).not.toBe(currentSigner(first, 'RS256').kid);
    expect(publicJwks(second).keys.map((k) => k.kid)).toEqual([
      second.keys[0]?.kid,
      second.keys[1]?.kid,
      first.keys[0]?.kid,
      first.keys[1]?.kid,
    ]);
    expect(verifierFor(second).verify(oldToken).sub).toBe('s');
    expect(verifierFor(second).verify(tokenFrom(second)).sub).toBe('s');
  });

  it('drops a retired key once its retention has passed', () => {
    const first = newSigningKeySet(T0);
    const second = rotateSigningKeySet(first, T0, { leadSeconds: 0, retainSeconds: 60 });
    const third = rotateSigningKeySet(second, T0 + 61_000, { leadSeconds: 0, retainSeconds: 60 });
    expect(third.keys.map((k) => k.kid)).toEqual([
      third.keys[0]?.kid,
      third.keys[1]?.kid,
      second.keys[0]?.kid,
      second.keys[1]?.kid,
    ]);
  });

  it('keeps one key set when two processes create it at once (file source)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'nested', 'keys.json');
    const [a, b] = await Promise.all([
      ensureSigningKeySet(createFileKeySource(path), T0),
      ensureSigningKeySet(createFileKeySource(path), T0),
    ]);
    expect(a.keys[0]?.kid).toBe(b.keys[0]?.kid);
    const again = await ensureSigningKeySet(createFileKeySource(path), T0);
    expect(again.keys[0]?.kid).toBe(a.keys[0]?.kid);
  });

  it('saves a rotation to the file and never goes back a generation', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'keys.json');
    const source = createFileKeySource(path);
    const first = await ensureSigningKeySet(source, T0);
    const second = await source.save(
      rotateSigningKeySet(first, T0, { leadSeconds: 0, retainSeconds: 60 }),
    );
    expect((await source.load())?.generation).toBe(2);
    expect(await source.save(first)).toEqual(second);
  });
});

describe('rotateSigningKeys', () => {
  it('saves the new set and publishes old and new public keys', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'keys.json');
    const source = createFileKeySource(path);
    const first = await ensureSigningKeySet(source, T0);
    const published: { generation: number; kids: string[] }[] = [];
    const rotated = await rotateSigningKeys(
      source,
      async (generation, keys) => {
        published.push({ generation, kids: keys.map((k) => k.kid) });
      },
      T0 + 1000,
      { leadSeconds: 600, retainSeconds: 3600 },
    );
    expect((await source.load())?.generation).toBe(2);
    expect(published).toEqual([
      {
        generation: 2,
        kids: [rotated.keys[0]?.kid, rotated.keys[1]?.kid, first.keys[0]?.kid, first.keys[1]?.kid],
      },
    ]);
  });
});

describe('an ES256-only set upgraded by ensureSigningKeySet (red team, issue 14)', () => {
  /** The previous build's signAccessToken(currentSigner(set)): keys[0], header alg ES256. */
  const signedAsBefore = (set: ReturnType<typeof newSigningKeySet>): string => {
    const [current] = set.keys;
    if (!current) throw new Error('empty');
    const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${encode({ alg: 'ES256', typ: 'at+jwt', kid: current.kid })}.${encode(tokenClaims)}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: createPrivateKey({ key: current.privateJwk, format: 'jwk' }),
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${signature.toString('base64url')}`;
  };

  it('keeps an ES256 key at keys[0], so a rolled-back instance still signs valid tokens', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rt14-')), 'keys.json');
    const old = newSigningKeySet(T0);
    const esOnly = { generation: 3, keys: old.keys.filter((k) => k.publicJwk.kty === 'EC') };
    writeFileSync(path, JSON.stringify(esOnly));
    const upgraded = await ensureSigningKeySet(createFileKeySource(path), T0 + 1000);
    expect(upgraded.keys.some((k) => k.publicJwk.kty === 'RSA')).toBe(true);
    expect(() => verifierFor(upgraded).verify(signedAsBefore(upgraded))).not.toThrow();
    expect(upgraded.keys[0]?.publicJwk.kty).toBe('EC');
  });
});

describe('staged rotation', () => {
  const timing = { leadSeconds: 3600, retainSeconds: 7200 };

  it('publishes the next keys at once and signs with them only from their activation', () => {
    const first = newSigningKeySet(T0);
    const staged = rotateSigningKeySet(first, T0 + 1000, timing);
    const activation = T0 + 1000 + 3_600_000;
    expect(publicJwks(staged).keys.map((k) => k.kid)).toContain(staged.keys[0]?.kid);
    for (const alg of ['ES256', 'RS256'] as const) {
      const old = currentSigner(first, alg, T0).kid;
      expect(currentSigner(staged, alg, activation - 1).kid).toBe(old);
      expect(currentSigner(staged, alg, activation).kid).not.toBe(old);
      expect(staged.keys.find((k) => k.kid === old)?.retiredAt).toBe(activation);
    }
  });

  it('reads a set stored before staged rotation: a key without activatesAt signs until retired', () => {
    const legacy = newSigningKeySet(T0);
    for (const key of legacy.keys) expect(key).not.toHaveProperty('activatesAt');
    expect(currentSigner(legacy, 'ES256', T0).kid).toBe(legacy.keys[0]?.kid);
  });

  it('retires a key still waiting when a second rotation supersedes it, with no gap', () => {
    const first = newSigningKeySet(T0);
    const second = rotateSigningKeySet(first, T0, timing);
    const third = rotateSigningKeySet(second, T0 + 600_000, timing);
    const waiting = second.keys[0]?.kid;
    expect(third.keys.find((k) => k.kid === waiting)?.retiredAt).toBe(T0 + 600_000 + 3_600_000);
    expect(currentSigner(third, 'ES256', T0 + 3_600_000).kid).toBe(waiting);
    expect(currentSigner(third, 'ES256', T0 + 4_200_000).kid).toBe(third.keys[0]?.kid);
    expect(currentSigner(third, 'ES256', T0 + 3_599_999).kid).toBe(first.keys[0]?.kid);
  });

  it('an emergency rotation (lead 0) signs with the new keys at once', () => {
    const first = newSigningKeySet(T0);
    const next = rotateSigningKeySet(first, T0 + 5, { leadSeconds: 0, retainSeconds: 60 });
    expect(currentSigner(next, 'ES256', T0 + 5).kid).toBe(next.keys[0]?.kid);
  });
});
