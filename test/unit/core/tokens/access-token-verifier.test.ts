import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createAccessTokenVerifier,
  UnknownKeyError,
} from '../../../../src/core/tokens/access-token-verifier';
import { type AccessTokenClaims, signAccessToken } from '../../../../src/core/tokens/access-tokens';
import { currentSigner, newSigningKeySet } from '../../../../src/core/tokens/signing-keys';

const ISSUER = 'https://auth.example.com';
const NOW = 1_800_000_000;

const keySet = newSigningKeySet(NOW * 1000);
const signer = currentSigner(keySet);
const [stored] = keySet.keys;
const publicKey = createPublicKey({ key: { ...stored?.publicJwk }, format: 'jwk' });

const claims = (overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  iss: ISSUER,
  sub: 'user-1',
  aud: ISSUER,
  exp: NOW + 900,
  iat: NOW,
  jti: 'jti-1',
  scope: 'profile',
  role: 'viewer',
  username: 'ann',
  email: 'ann@example.com',
  user_type: 'human',
  groups: [],
  sid: 'sid-1',
  ...overrides,
});

const verifier = (now = NOW, cacheSize = 0) =>
  createAccessTokenVerifier((kid) => (kid === signer.kid ? publicKey : undefined), {
    issuer: ISSUER,
    audience: ISSUER,
    clockToleranceSeconds: 30,
    now: () => now * 1000,
    cacheSize,
  });

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs any header and payload with the real key, to test the checks after the signature. */
const forge = (header: object, payload: object) => {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: signer.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
};

const header = { alg: 'ES256', typ: 'at+jwt', kid: signer.kid };
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('access token verifier', () => {
  it('accepts a token it signed and returns its claims', () => {
    const token = signAccessToken(signer, claims());
    expect(verifier().verify(token)).toEqual(claims());
  });

  it('verifies under jose with a strict configuration (interoperability)', async () => {
    const token = signAccessToken(
      signer,
      claims({ iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 }),
    );
    const key = await importJWK({ ...stored?.publicJwk }, 'ES256');
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: ISSUER,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    });
    expect(protectedHeader.kid).toBe(signer.kid);
    expect(payload.sub).toBe('user-1');
  });

  it.each([
    ['alg none', { ...header, alg: 'none' }, claims()],
    ['HS256', { ...header, alg: 'HS256' }, claims()],
    ['RS256', { ...header, alg: 'RS256' }, claims()],
    ['no typ', { alg: 'ES256', kid: signer.kid }, claims()],
    ['an id token typ', { ...header, typ: 'JWT' }, claims()],
    ['crit header', { ...header, crit: ['exp'] }, claims()],
    ['no kid', { alg: 'ES256', typ: 'at+jwt' }, claims()],
    ['wrong issuer', header, claims({ iss: 'https://evil.example.com' })],
    ['wrong audience', header, claims({ aud: 'https://other.example.com' })],
    ['no exp', header, { ...claims(), exp: undefined }],
    ['no iat', header, { ...claims(), iat: undefined }],
    ['no sub', header, { ...claims(), sub: undefined }],
    ['empty sub', header, claims({ sub: '' })],
    ['no jti', header, { ...claims(), jti: undefined }],
    ['iat in the future', header, claims({ iat: NOW + 120 })],
    ['nbf in the future', header, { ...claims(), nbf: NOW + 120 }],
    ['exp as a string', header, { ...claims(), exp: String(NOW + 900) }],
  ])('refuses %s as token_invalid', (_label, h, payload) => {
    expect(code(() => verifier().verify(forge(h, payload)))).toBe('token_invalid');
  });

  it('accepts an audience array that names us', () => {
    const token = forge(header, { ...claims(), aud: ['other', ISSUER] });
    expect(code(() => verifier().verify(token))).toBe('accepted');
  });

  it('says token_expired only for a correctly signed token past exp (with 30 s leeway)', () => {
    const token = signAccessToken(signer, claims({ exp: NOW - 10 }));
    expect(code(() => verifier().verify(token))).toBe('accepted');
    const old = signAccessToken(signer, claims({ exp: NOW - 31 }));
    expect(code(() => verifier().verify(old))).toBe('token_expired');
  });

  it('checks the signature before any claim', () => {
    const expired = signAccessToken(signer, claims({ exp: NOW - 1000, iss: 'wrong' }));
    const [h, p] = expired.split('.');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const badSig = sign('sha256', Buffer.from(`${h}.${p}`), {
      key: other,
      dsaEncoding: 'ieee-p1363',
    });
    expect(code(() => verifier().verify(`${h}.${p}.${badSig.toString('base64url')}`))).toBe(
      'token_invalid',
    );
  });

  it('refuses tampered payloads, malformed tokens and oversized input', () => {
    const token = signAccessToken(signer, claims());
    const [h, , s] = token.split('.');
    const tampered = `${h}.${b64(claims({ role: 'owner' }))}.${s}`;
    for (const bad of [
      tampered,
      'abc',
      'a.b',
      'a.b.c.d',
      `${h}..${s}`,
      `${h}.e30.***`,
      'x'.repeat(9000),
    ]) {
      expect(code(() => verifier().verify(bad))).toBe('token_invalid');
    }
  });

  it('refuses a token without a session to check (Gatehouse issues none)', () => {
    const { sid: _, ...sessionless } = claims();
    expect(() => verifier().verify(forge(header, sessionless))).toThrow(/lacks sid/);
    expect(() => verifier().verify(forge(header, { ...sessionless, sid: '' }))).toThrow(
      /lacks sid/,
    );
  });

  it('names an unknown kid so the caller can reload keys', () => {
    const token = forge({ ...header, kid: 'someone-else' }, claims());
    expect(() => verifier().verify(token)).toThrow(UnknownKeyError);
  });

  it('forgets the oldest tokens beyond its size, and checks them afresh', () => {
    // The same kid under another key: a remembered token passes, a fresh check fails.
    const other = createPublicKey({
      key: { ...newSigningKeySet(NOW * 1000).keys[0]?.publicJwk },
      format: 'jwk',
    });
    let held = publicKey;
    const small = createAccessTokenVerifier((kid) => (kid === signer.kid ? held : undefined), {
      issuer: ISSUER,
      audience: ISSUER,
      clockToleranceSeconds: 0,
      now: () => NOW * 1000,
      cacheSize: 2,
    });
    const [a, b, c] = ['a', 'b', 'c'].map((jti) => signAccessToken(signer, claims({ jti }))) as [
      string,
      string,
      string,
    ];
    small.verify(a);
    held = other;
    expect(small.verify(a)).toMatchObject({ jti: 'a' });
    held = publicKey;
    small.verify(b);
    small.verify(c);
    held = other;
    expect(() => small.verify(a)).toThrow(/bad signature/);
    expect(small.verify(c)).toMatchObject({ jti: 'c' });
  });

  it('checks a remembered token afresh once its key is no longer held', () => {
    let holds = true;
    const ring = createAccessTokenVerifier(
      (kid) => (holds && kid === signer.kid ? publicKey : undefined),
      {
        issuer: ISSUER,
        audience: ISSUER,
        clockToleranceSeconds: 0,
        now: () => NOW * 1000,
        cacheSize: 2,
      },
    );
    const token = signAccessToken(signer, claims());
    ring.verify(token);
    holds = false;
    expect(() => ring.verify(token)).toThrow(UnknownKeyError);
  });

  it('remembers verified tokens but still expires them', () => {
    let now = NOW;
    const cached = createAccessTokenVerifier(
      (kid) => (kid === signer.kid ? publicKey : undefined),
      {
        issuer: ISSUER,
        audience: ISSUER,
        clockToleranceSeconds: 0,
        now: () => now * 1000,
        cacheSize: 2,
      },
    );
    const token = signAccessToken(signer, claims({ exp: NOW + 60 }));
    expect(cached.verify(token).sub).toBe('user-1');
    expect(cached.verify(token).sub).toBe('user-1');
    now = NOW + 61;
    expect(code(() => cached.verify(token))).toBe('token_expired');
  });
});

describe('signature encoding', () => {
  it('refuses a non-canonical spelling of a valid signature', () => {
    const token = signAccessToken(signer, claims());
    const last = token.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // Same top 2 bits, different (non-zero) low bits: decodes to the same 64 bytes.
    const twin = alphabet[alphabet.indexOf(last) + 1] as string;
    expect(
      Buffer.from(`${token.slice(token.lastIndexOf('.') + 1, -1)}${twin}`, 'base64url'),
    ).toEqual(Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url'));
    expect(code(() => verifier().verify(`${token.slice(0, -1)}${twin}`))).toBe('token_invalid');
    expect(code(() => verifier().verify(token))).toBe('accepted');
  });
});
