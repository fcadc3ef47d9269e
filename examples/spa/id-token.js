// @ts-check
/**
 * Validates an OpenID Connect ID token in the browser (OIDC Core 1.0 §3.1.3.7) with WebCrypto
 * only: the signature against the provider's JWKS, then iss, aud, exp, nonce and at_hash.
 * Nothing from the token may be shown or used before `verifyIdToken` resolves.
 */

/** The JWS algorithms Gatehouse signs ID tokens with, as WebCrypto names them. */
const ALGORITHMS = {
  RS256: {
    kty: 'RSA',
    importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    verifyAs: { name: 'RSASSA-PKCS1-v1_5' },
  },
  ES256: {
    kty: 'EC',
    importAs: { name: 'ECDSA', namedCurve: 'P-256' },
    verifyAs: { name: 'ECDSA', hash: 'SHA-256' },
  },
};

/**
 * @typedef {{ kid?: string, kty?: string, alg?: string }} PublishedKey
 * @typedef {{
 *   jwks: { keys: PublishedKey[] },
 *   issuer: string,
 *   clientId: string,
 *   nonce: string,
 *   accessToken: string,
 * }} Expected
 */

/** @param {string} reason @returns {never} */
const refuse = (reason) => {
  throw new Error(`The ID token ${reason}: nobody is signed in.`);
};

/** @param {string} text */
const fromBase64url = (text) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** @param {Uint8Array} bytes */
const toBase64url = (bytes) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** @param {string} part @returns {Record<string, unknown>} */
const decodeJson = (part) => {
  try {
    return JSON.parse(new TextDecoder().decode(fromBase64url(part)));
  } catch {
    return refuse('is not a JWT');
  }
};

/** OIDC Core §3.1.3.6: the left half of SHA-256 of the access token, base64url. */
const accessTokenHash = async (/** @type {string} */ accessToken) => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken));
  return toBase64url(new Uint8Array(digest).slice(0, 16));
};

/**
 * The ID token's claims, once every check passed; otherwise an Error saying which one failed.
 * @param {string} idToken
 * @param {Expected} expected
 */
export const verifyIdToken = async (idToken, expected) => {
  const [headerPart = '', payloadPart = '', signaturePart = '', ...rest] = idToken.split('.');
  if (rest.length > 0 || !signaturePart) refuse('is not a signed JWT');
  const header = decodeJson(headerPart);
  // Invariant: the algorithm is one this app chose, never "none" nor one the token names freely.
  const alg = String(header.alg);
  const algorithm = Object.hasOwn(ALGORITHMS, alg)
    ? ALGORITHMS[/** @type {keyof typeof ALGORITHMS} */ (alg)]
    : refuse(`is signed with ${alg}, not RS256 or ES256`);
  const jwk = expected.jwks.keys.find(
    (key) => key.kid === header.kid && key.kty === algorithm.kty && (key.alg ?? alg) === alg,
  );
  if (!jwk) refuse('is signed with a key Gatehouse does not publish');
  const key = await crypto.subtle.importKey('jwk', jwk, algorithm.importAs, false, ['verify']);
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  const signature = fromBase64url(signaturePart);
  if (!(await crypto.subtle.verify(algorithm.verifyAs, key, signature, signed))) {
    refuse('has a signature that does not verify');
  }
  const claims = decodeJson(payloadPart);
  if (claims.iss !== expected.issuer) refuse(`was issued by ${claims.iss}, not Gatehouse`);
  // Invariant: a token issued to another client is never accepted here (audience confusion).
  if (claims.aud !== expected.clientId) refuse('was issued to another client');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) refuse('has expired');
  // Invariant: only the answer to this tab's own request counts (no replayed or injected token).
  if (!expected.nonce || claims.nonce !== expected.nonce) {
    refuse('carries a nonce this tab did not send');
  }
  if (
    claims.at_hash !== undefined &&
    claims.at_hash !== (await accessTokenHash(expected.accessToken))
  ) {
    refuse('was not issued with this access token (at_hash)');
  }
  return claims;
};
