import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { CoreDeps } from '../shared/deps';

/** The public half of a signing key as published in the JWKS. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface StoredSigningKey {
  kid: string;
  privateJwk: JsonWebKey;
  publicJwk: PublicJwk;
  createdAt: number;
  /** Set once a newer key signs; the key stays published until `retireAfter`. */
  retiredAt: number | null;
}

/** `keys[0]` signs; the others only verify tokens they signed before a rotation. */
export interface SigningKeySet {
  generation: number;
  keys: StoredSigningKey[];
}

/** Where the private key set lives: a file locally, Secrets Manager on AWS. */
export interface SigningKeySource {
  load(): Promise<SigningKeySet | null>;
  /**
   * Stores `set` unless a set of the same generation already exists (another cold start won
   * the race); answers whichever set is stored.
   */
  save(set: SigningKeySet): Promise<SigningKeySet>;
}

export interface Signer {
  kid: string;
  privateKey: KeyObject;
}

// RFC 7638 thumbprint: a kid that names the key and nothing else.
const thumbprint = (jwk: { crv: string; kty: string; x: string; y: string }): string =>
  createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');

export const generateSigningKey = (now: number): StoredSigningKey => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const x = privateJwk.x as string;
  const y = privateJwk.y as string;
  const kid = thumbprint({ crv: 'P-256', kty: 'EC', x, y });
  return {
    kid,
    privateJwk,
    publicJwk: { kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' },
    createdAt: now,
    retiredAt: null,
  };
};

export const newSigningKeySet = (now: number): SigningKeySet => ({
  generation: 1,
  keys: [generateSigningKey(now)],
});

/**
 * A new key signs from now on; earlier keys stay published for `retainSeconds` after they stop
 * signing (at least the longest access-token lifetime), then drop out.
 */
export const rotateSigningKeySet = (
  set: SigningKeySet,
  now: number,
  retainSeconds: number,
): SigningKeySet => ({
  generation: set.generation + 1,
  keys: [
    generateSigningKey(now),
    ...set.keys
      .map((key) => ({ ...key, retiredAt: key.retiredAt ?? now }))
      .filter((key) => key.retiredAt + retainSeconds * 1000 > now),
  ],
});

export const publicJwks = (set: SigningKeySet): { keys: PublicJwk[] } => ({
  keys: set.keys.map((key) => key.publicJwk),
});

export const currentSigner = (set: SigningKeySet): Signer => {
  const [current] = set.keys;
  if (!current) throw new Error('The signing key set is empty.');
  return {
    kid: current.kid,
    privateKey: createPrivateKey({ key: current.privateJwk, format: 'jwk' }),
  };
};

/** Loads the key set, creating the first one if there is none (race-safe through the source). */
export const ensureSigningKeySet = async (
  source: SigningKeySource,
  now: number,
): Promise<SigningKeySet> => (await source.load()) ?? source.save(newSigningKeySet(now));

/**
 * Rotates to a new signing key and publishes every key still in the set, so tokens signed
 * before the rotation keep verifying until the old key retires.
 */
export const rotateSigningKeys = async (
  source: SigningKeySource,
  publish: (generation: number, keys: PublicJwk[]) => Promise<void>,
  now: number,
  retainSeconds: number,
): Promise<SigningKeySet> => {
  const current = await ensureSigningKeySet(source, now);
  const saved = await source.save(rotateSigningKeySet(current, now, retainSeconds));
  await publish(saved.generation, publicJwks(saved).keys);
  return saved;
};

/** The JWKS the service publishes (`/.well-known/jwks.json`): empty before the first key. */
export const publishedJwks = async (deps: CoreDeps): Promise<{ keys: PublicJwk[] }> => {
  const published = await deps.store.getPublishedKeys();
  return { keys: published?.keys ?? [] };
};
