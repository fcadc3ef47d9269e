import {
  newSigningKeySet,
  type PublicJwk,
  publicJwks,
  type RotationTiming,
  rotateSigningKeySet,
  type SigningKeySet,
} from './signing-keys';

/** Secrets Manager's rotation steps, in the order it calls them. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The signing-keys secret as its rotation sees it: versions labelled AWSCURRENT / AWSPENDING. */
export interface StagedKeySecret {
  /** Each version id and its labels (DescribeSecret's VersionIdsToStages). */
  versions(): Promise<Record<string, string[]>>;
  /** The key set of a version, or null (no value yet, or the deploy's placeholder). */
  read(versionId: string): Promise<SigningKeySet | null>;
  /** Stores `set` as version `token`, labelled AWSPENDING. */
  putPending(token: string, set: SigningKeySet): Promise<void>;
  /** Moves AWSCURRENT from version `from` to `token`. */
  promote(token: string, from: string): Promise<void>;
  /** Takes AWSPENDING off `token`, so the next rotation can begin. */
  abandon(token: string): Promise<void>;
}

export interface KeyRotationDeps {
  secret: StagedKeySecret;
  publish: (generation: number, keys: PublicJwk[]) => Promise<void>;
  readPublished: () => Promise<PublicJwk[]>;
  now: () => number;
  timing: RotationTiming;
}

const currentVersion = (versions: Record<string, string[]>): string => {
  const id = Object.keys(versions).find((v) => versions[v]?.includes('AWSCURRENT'));
  if (!id) throw new Error('The signing-keys secret has no AWSCURRENT version.');
  return id;
};

/**
 * The pending set, or a throw if the set it was staged from is no longer current (a cold
 * start stored a set meanwhile). Invariant: a rotation never replaces a set it did not start
 * from, so no key that signed is lost; it gives up and the next rotation starts afresh.
 */
const pendingOnCurrent = async (deps: KeyRotationDeps, token: string, current: string) => {
  const pending = await deps.secret.read(token);
  if (!pending) throw new Error(`Version ${token} holds no pending key set.`);
  const base = await deps.secret.read(current);
  if ((base?.generation ?? 0) !== pending.generation - 1) {
    await deps.secret.abandon(token);
    throw new Error('The current key set changed during the rotation: rotate again.');
  }
  return pending;
};

/**
 * One step of a Secrets Manager rotation of the signing keys. createSecret stages the next
 * set (the same rotateSigningKeySet as `npm run keys:rotate`) as AWSPENDING; setSecret
 * publishes its public keys; testSecret reads the JWKS back; finishSecret makes it AWSCURRENT.
 * Invariant (publish before sign): no signer reads a set before its keys are published,
 * and its new keys sign only `timing.leadSeconds` after createSecret.
 */
export const runRotationStep = async (
  deps: KeyRotationDeps,
  step: RotationStep,
  token: string,
): Promise<void> => {
  const versions = await deps.secret.versions();
  const labels = versions[token];
  if (!labels) throw new Error(`Version ${token} is not a version of the signing-keys secret.`);
  if (labels.includes('AWSCURRENT')) return;
  if (!labels.includes('AWSPENDING')) throw new Error(`Version ${token} is not AWSPENDING.`);
  const current = currentVersion(versions);

  if (step === 'createSecret') {
    if (await deps.secret.read(token)) return;
    const base = await deps.secret.read(current);
    const now = deps.now();
    // The deploy's placeholder: the first set, which signs at once (nothing verified before).
    const next = base ? rotateSigningKeySet(base, now, deps.timing) : newSigningKeySet(now);
    await deps.secret.putPending(token, next);
  } else if (step === 'setSecret') {
    const pending = await pendingOnCurrent(deps, token, current);
    await deps.publish(pending.generation, publicJwks(pending).keys);
  } else if (step === 'testSecret') {
    const pending = await pendingOnCurrent(deps, token, current);
    const published = new Set((await deps.readPublished()).map((key) => key.kid));
    const missing = pending.keys.filter((key) => !published.has(key.kid));
    if (missing.length > 0) {
      throw new Error(`The JWKS lacks ${missing.length} key(s) of the pending set.`);
    }
  } else {
    await pendingOnCurrent(deps, token, current);
    await deps.secret.promote(token, current);
  }
};
