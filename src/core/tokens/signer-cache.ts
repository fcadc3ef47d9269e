import { KEY_PUBLISH_LEAD_SECONDS, KEY_REFRESH_SECONDS } from './key-timing';
import {
  importSigner,
  type Signer,
  type SigningAlg,
  type SigningKeySet,
  signingKeyAt,
} from './signing-keys';

export interface SignerCacheOptions {
  /** The key set, its public keys published (composition's loadSigners). */
  load: () => Promise<SigningKeySet>;
  now: () => number;
  /** How old the held set may grow before the next signature waits for a re-read (5 min). */
  refreshIntervalMs?: number;
}

/**
 * A warm signer's keys: the set is re-read every `refreshIntervalMs` (below the publish lead),
 * and the signing key is chosen by time at each signature, so a staged key starts signing at
 * its activation without a cold start. Each key is imported once.
 */
export const createSignerCache = (options: SignerCacheOptions) => {
  const refreshInterval = options.refreshIntervalMs ?? KEY_REFRESH_SECONDS * 1000;
  let held: { set: SigningKeySet; loadedAt: number } | undefined;
  let loading: Promise<SigningKeySet> | undefined;
  const imported = new Map<string, Signer>();

  // Concurrent signatures share one read.
  const reload = () => {
    const startedAt = options.now();
    loading ??= options
      .load()
      .then((set) => {
        held = { set, loadedAt: startedAt };
        return set;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  const currentSet = async (): Promise<SigningKeySet> => {
    if (!held) return reload();
    const age = options.now() - held.loadedAt;
    if (age <= refreshInterval) return held.set;
    try {
      return await reload();
    } catch (error) {
      // Invariant: a set older than the lead may have missed a rotation whose retirement
      // passed: it no longer signs once the re-read has failed for that long.
      if (age > KEY_PUBLISH_LEAD_SECONDS * 1000) throw error;
      return held.set;
    }
  };

  return {
    async signer(alg: SigningAlg): Promise<Signer> {
      const set = await currentSet();
      const key = signingKeyAt(set, alg, options.now());
      if (!key) throw new Error(`The signing key set has no ${alg} key signing now.`);
      let signer = imported.get(key.kid);
      if (!signer) {
        signer = importSigner(key);
        imported.set(key.kid, signer);
      }
      return signer;
    },
  };
};
