import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpaServer } from '../../examples/spa/serve';
import { useBrowser } from './support/browser';

/**
 * examples/spa/id-token.js in chromium's WebCrypto against ID tokens an attacker would try:
 * each forged or misdirected token is refused with the check it failed.
 */
const { tab } = useBrowser();

const ISSUER = 'https://gatehouse.example.com';
const CLIENT = 'gh_sample_spa';
const NONCE = 'the-nonce-this-tab-sent';
const ACCESS_TOKEN = 'eyJ.the-access-token.sig';

const keyPair = async (alg: 'RS256' | 'ES256', kid: string) => {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
};

let spa: Awaited<ReturnType<typeof startSpaServer>> | undefined;
let keys: Record<'RS256' | 'ES256' | 'stranger', Awaited<ReturnType<typeof keyPair>>>;

beforeAll(async () => {
  spa = await startSpaServer(0);
  keys = {
    RS256: await keyPair('RS256', 'rsa-1'),
    ES256: await keyPair('ES256', 'ec-1'),
    // Another RSA key claiming the published RSA key's kid.
    stranger: await keyPair('RS256', 'rsa-1'),
  };
});
afterAll(async () => {
  await spa?.close();
});

const atHash = (token: string) =>
  createHash('sha256').update(token, 'ascii').digest().subarray(0, 16).toString('base64url');

const now = () => Math.floor(Date.now() / 1000);

/** Claims as Gatehouse issues them to this client for this tab's request. */
const goodClaims = (): JWTPayload => ({
  iss: ISSUER,
  sub: 'user-1',
  aud: CLIENT,
  azp: CLIENT,
  iat: now(),
  exp: now() + 300,
  nonce: NONCE,
  at_hash: atHash(ACCESS_TOKEN),
});

const sign = (
  claims: JWTPayload,
  key: keyof typeof keys = 'RS256',
  header: { alg?: string; kid?: string } = {},
) => {
  const { privateKey, jwk } = keys[key];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg as string, kid: jwk.kid as string, typ: 'JWT', ...header })
    .sign(privateKey);
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What the app's verifier says in the page: `ok <sub>` or the error it shows. */
const verifyInChromium = async (idToken: string, expected: Record<string, unknown> = {}) => {
  const { page } = tab();
  if (!page.url().startsWith(spa?.url ?? '-')) await page.goto(spa?.url ?? '-');
  const input = {
    jwks: { keys: [keys.RS256.jwk, keys.ES256.jwk] },
    issuer: ISSUER,
    clientId: CLIENT,
    nonce: NONCE,
    accessToken: ACCESS_TOKEN,
    ...expected,
  };
  return page.evaluate<string>(`import('/id-token.js').then(({ verifyIdToken }) =>
    verifyIdToken(${JSON.stringify(idToken)}, ${JSON.stringify(input)}).then(
      (claims) => 'ok ' + claims.sub,
      (error) => error.message,
    ))`);
};

const refused = (reason: string) => `The ID token ${reason}: nobody is signed in.`;

describe("the sample app's ID token verifier, in chromium", () => {
  it('accepts what Gatehouse issues, RS256 and ES256', async () => {
    expect(await verifyInChromium(await sign(goodClaims(), 'RS256'))).toBe('ok user-1');
    expect(await verifyInChromium(await sign(goodClaims(), 'ES256'))).toBe('ok user-1');
  });

  it('refuses forged signatures and algorithms it did not choose', async () => {
    const good = await sign(goodClaims());
    const [header, payload] = good.split('.');
    expect(await verifyInChromium(await sign(goodClaims(), 'stranger'))).toBe(
      refused('has a signature that does not verify'),
    );
    // The payload changed under a real signature.
    const swapped = `${header}.${b64({ ...goodClaims(), sub: 'admin' })}.${good.split('.')[2]}`;
    expect(await verifyInChromium(swapped)).toBe(refused('has a signature that does not verify'));
    expect(await verifyInChromium(`${b64({ alg: 'none' })}.${payload}.`)).toBe(
      refused('is not a signed JWT'),
    );
    expect(await verifyInChromium(`${b64({ alg: 'none', kid: 'rsa-1' })}.${payload}.AA`)).toBe(
      refused('is signed with none, not RS256 or ES256'),
    );
    // HS256 keyed with the public key's bytes: the classic confusion, refused by alg.
    const hs = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${payload}.AA`;
    expect(await verifyInChromium(hs)).toBe(refused('is signed with HS256, not RS256 or ES256'));
    expect(await verifyInChromium(await sign(goodClaims(), 'RS256', { kid: 'unknown' }))).toBe(
      refused('is signed with a key Gatehouse does not publish'),
    );
    // The RSA key's kid named with ES256: a key is used only for its own algorithm.
    expect(await verifyInChromium(await sign(goodClaims(), 'ES256', { kid: 'rsa-1' }))).toBe(
      refused('is signed with a key Gatehouse does not publish'),
    );
    expect(await verifyInChromium('not-a-jwt')).toBe(refused('is not a signed JWT'));
  });

  it('refuses a well-signed token meant for someone or something else', async () => {
    const cases: [JWTPayload, string][] = [
      [
        { iss: 'https://evil.example.com' },
        'was issued by https://evil.example.com, not Gatehouse',
      ],
      [{ aud: 'gh_another_client' }, 'was issued to another client'],
      [{ aud: [CLIENT, 'gh_another_client'] }, 'was issued to another client'],
      [{ exp: now() - 1 }, 'has expired'],
      [{ nonce: 'a-replayed-nonce' }, 'carries a nonce this tab did not send'],
      [{ nonce: undefined }, 'carries a nonce this tab did not send'],
      [
        { at_hash: atHash('another access token') },
        'was not issued with this access token (at_hash)',
      ],
    ];
    for (const [change, reason] of cases) {
      const token = await sign(JSON.parse(JSON.stringify({ ...goodClaims(), ...change })));
      expect(await verifyInChromium(token), reason).toBe(refused(reason));
    }
    // A tab that kept no nonce accepts no token, not even one without a nonce.
    const noNonce = await sign({ ...goodClaims(), nonce: undefined } as JWTPayload);
    expect(await verifyInChromium(noNonce, { nonce: '' })).toBe(
      refused('carries a nonce this tab did not send'),
    );
  });
});
