import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { CoreDeps } from '../shared/deps';

/** The algorithms Gatehouse signs with: ES256 (access tokens by default) and RS256 (ID tokens). */
export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

interface RsaPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/** The public half of a signing key as published in the JWKS. */
export type PublicJwk = EcPublicJwk | RsaPublicJwk;

export interface StoredSigningKey {
  kid: string;
  privateJwk: JsonWebKey;
  publicJwk: PublicJwk;
  createdAt: number;
  /**
   * When it starts signing (ms), set by a staged rotation. Absent in a first set and in sets
   * stored before staged rotation: signs until retired.
   */
  activatesAt?: number;
  /** When it stops signing (a newer key activates); it stays published for the retention. */
  retiredAt: number | null;
}

/**
 * Every key is published; at any moment one key of each algorithm signs, chosen by time
 * (`currentSigner`). Sets stored before RSA keys existed hold ES256 keys only
 * (ensureSigningKeySet).
 */
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
  alg: SigningAlg;
  privateKey: KeyObject;
}

/** The key that signs each algorithm at one moment. */
export type Signers = Record<SigningAlg, Signer>;

/** How a rotation is staged: all in seconds. */
export interface RotationTiming {
  /** How long the next keys are published before they sign (0: an emergency rotation). */
  leadSeconds: number;
  /** How long a key stays published after it stops signing: past every token it signed. */
  retainSeconds: number;
}

// RFC 7638 thumbprints: a kid that names the key and nothing else.
const thumbprint = (members: Record<string, string>): string =>
  createHash('sha256').update(JSON.stringify(members)).digest('base64url');

const generateEcKey = (now: number): StoredSigningKey => {
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

const generateRsaKey = (now: number): StoredSigningKey => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const n = privateJwk.n as string;
  const e = privateJwk.e as string;
  const kid = thumbprint({ e, kty: 'RSA', n });
  return {
    kid,
    privateJwk,
    publicJwk: { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' },
    createdAt: now,
    retiredAt: null,
  };
};

const generateSigningKey = (now: number, alg: SigningAlg = 'ES256'): StoredSigningKey =>
  alg === 'RS256' ? generateRsaKey(now) : generateEcKey(now);

const algOf = (key: StoredSigningKey): SigningAlg => key.publicJwk.alg ?? 'ES256';

export const newSigningKeySet = (now: number): SigningKeySet => ({
  generation: 1,
  keys: SIGNING_ALGS.map((alg) => generateSigningKey(now, alg)),
});

const activationOf = (key: StoredSigningKey): number => key.activatesAt ?? key.createdAt;

/**
 * Stages a rotation: a new key of each algorithm, published from now and signing from
 * `now + leadSeconds`, when every key signing or waiting to sign retires. Keys retired for
 * longer than `retainSeconds` (every token they signed has expired) drop out.
 */
export const rotateSigningKeySet = (
  set: SigningKeySet,
  now: number,
  timing: RotationTiming,
): SigningKeySet => {
  const activatesAt = now + timing.leadSeconds * 1000;
  const next = SIGNING_ALGS.map((alg) => ({ ...generateSigningKey(now, alg), activatesAt }));
  return {
    generation: set.generation + 1,
    keys: [
      ...next,
      ...set.keys
        .map((key) => ({ ...key, retiredAt: Math.min(key.retiredAt ?? activatesAt, activatesAt) }))
        .filter((key) => key.retiredAt + timing.retainSeconds * 1000 > now),
    ],
  };
};

/**
 * Withdraws compromised keys: new keys of each algorithm sign from `now`, and the withdrawn keys
 * (`kids`, or every key of the set: a stolen secret holds them all) leave the set and the JWKS
 * at once, so every token they signed fails. The generation passes `aboveGeneration` (the
 * published one) too: a pending rotation's same-generation publish never brings a key back.
 */
export const withdrawSigningKeySet = (
  set: SigningKeySet,
  now: number,
  options: { kids?: string[]; aboveGeneration?: number } = {},
): SigningKeySet => {
  const kids = new Set(options.kids ?? set.keys.map((key) => key.kid));
  const unknown = [...kids].filter((kid) => !set.keys.some((key) => key.kid === kid));
  if (unknown.length > 0) throw new Error(`The key set holds no key ${unknown.join(', ')}.`);
  const kept = set.keys.filter((key) => !kids.has(key.kid));
  return {
    generation: Math.max(set.generation, options.aboveGeneration ?? 0) + 1,
    keys: [
      // No `activatesAt`: they sign at once, even in a container whose clock lags.
      ...SIGNING_ALGS.map((alg) => generateSigningKey(now, alg)),
      ...kept.map((key) => ({ ...key, retiredAt: Math.min(key.retiredAt ?? now, now) })),
    ],
  };
};

/** A key that may still sign: retired keys only verify what they signed before. */
const isLive = (key: StoredSigningKey) => key.retiredAt === null;

/**
 * The algorithms a set has no live key for: a set stored before RSA keys existed lacks RS256,
 * and one rotated by such a build again (a rollback) holds its RSA key only retired.
 */
const missingAlgs = (set: SigningKeySet): SigningAlg[] =>
  SIGNING_ALGS.filter((alg) => !set.keys.some((key) => algOf(key) === alg && isLive(key)));

export const publicJwks = (set: SigningKeySet): { keys: PublicJwk[] } => ({
  keys: set.keys.map((key) => key.publicJwk),
});

/** A same-generation publish (two publishers racing) merged: theirs first, then ours they lack. */
export const mergeJwks = (theirs: PublicJwk[], ours: PublicJwk[]): PublicJwk[] => [
  ...theirs,
  ...ours.filter((key) => !theirs.some((held) => held.kid === key.kid)),
];

/**
 * The key that signs `alg` at `now`: activated and not yet retired, the latest activated if a
 * superseded one overlaps. Invariant: never a key before its activation (it may not be
 * published long enough) nor after its retirement (it drops out of the JWKS after retention).
 */
export const signingKeyAt = (
  set: SigningKeySet,
  alg: SigningAlg,
  now: number,
): StoredSigningKey | undefined =>
  set.keys
    .filter(
      (key) =>
        algOf(key) === alg &&
        // No `activatesAt`: a first key, or one stored before staged rotation, signs from the
        // start (a container whose clock lags the one that made it still finds a key).
        (key.activatesAt === undefined || key.activatesAt <= now) &&
        (key.retiredAt === null || key.retiredAt > now),
    )
    .sort((a, b) => activationOf(b) - activationOf(a))[0];

/** The signing key of `alg` at `now`, imported. */
export const currentSigner = (
  set: SigningKeySet,
  alg: SigningAlg = 'ES256',
  now: number = Date.now(),
): Signer => {
  const current = signingKeyAt(set, alg, now);
  if (!current) throw new Error(`The signing key set has no ${alg} key signing now.`);
  return importSigner(current);
};

export const importSigner = (key: StoredSigningKey): Signer => ({
  kid: key.kid,
  alg: algOf(key),
  privateKey: createPrivateKey({ key: key.privateJwk, format: 'jwk' }),
});

export const currentSigners = (set: SigningKeySet, now: number = Date.now()): Signers => ({
  ES256: currentSigner(set, 'ES256', now),
  RS256: currentSigner(set, 'RS256', now),
});

/**
 * Loads the key set, creating the first one if there is none, and adding a key for an
 * algorithm the stored set lacks as its next generation (race-safe through the source).
 */
export const ensureSigningKeySet = async (
  source: SigningKeySource,
  now: number,
): Promise<SigningKeySet> => {
  const stored = (await source.load()) ?? (await source.save(newSigningKeySet(now)));
  const missing = missingAlgs(stored);
  if (missing.length === 0) return stored;
  return source.save({
    generation: stored.generation + 1,
    // After the stored keys: a build from before the RSA key signs with keys[0] as ES256, so
    // a rollback after this upgrade keeps working (red team, issue 14).
    keys: [...stored.keys, ...missing.map((alg) => generateSigningKey(now, alg))],
  });
};

/**
 * `npm run keys:rotate` (and the local stack): stages the next keys and publishes every key of
 * the saved set. Concurrent rotations decide one set per generation (the source), and each
 * publishes the winner.
 */
export const rotateSigningKeys = async (
  source: SigningKeySource,
  publish: (generation: number, keys: PublicJwk[]) => Promise<void>,
  now: number,
  timing: RotationTiming,
): Promise<SigningKeySet> => {
  const current = await ensureSigningKeySet(source, now);
  const saved = await source.save(rotateSigningKeySet(current, now, timing));
  // Invariant (publish before sign): the new keys sign only `leadSeconds` after this.
  await publish(saved.generation, publicJwks(saved).keys);
  return saved;
};

/** What a withdrawal writes to: the key source and the published JWKS (local or AWS). */
export interface WithdrawTarget {
  source: SigningKeySource;
  publishedGeneration: () => Promise<number>;
  publish: (generation: number, keys: PublicJwk[]) => Promise<void>;
}

/**
 * `npm run keys:rotate -- --withdraw` (local, or AWS with the operator's credentials): the one
 * withdrawal path. Invariant: once it returns, neither the stored set nor the JWKS holds a
 * withdrawn key; a lost race (another writer took the generation) throws: run it again.
 */
export const withdrawSigningKeys = async (
  target: WithdrawTarget,
  now: number,
  kids?: string[],
): Promise<SigningKeySet> => {
  const current = await ensureSigningKeySet(target.source, now);
  const aboveGeneration = await target.publishedGeneration();
  const next = withdrawSigningKeySet(current, now, { kids, aboveGeneration });
  const saved = await target.source.save(next);
  if (saved.keys[0]?.kid !== next.keys[0]?.kid) {
    throw new Error('The key set changed during the withdrawal: withdraw again.');
  }
  await target.publish(saved.generation, publicJwks(saved).keys);
  return saved;
};

/** The JWKS the service publishes (`/.well-known/jwks.json`): empty before the first key. */
export const publishedJwks = async (deps: CoreDeps): Promise<{ keys: PublicJwk[] }> => {
  const published = await deps.store.getPublishedKeys();
  return { keys: published?.keys ?? [] };
};
