import type { StagedKeySecret } from '../../src/core/tokens/key-rotation';
import type { SigningKeySet, SigningKeySource } from '../../src/core/tokens/signing-keys';

interface Version {
  value: string | null;
  stages: string[];
}

/**
 * The signing-keys secret as Secrets Manager keeps it, in memory: versions with AWSCURRENT /
 * AWSPENDING labels. The rotation sees it as a StagedKeySecret; signers' cold starts as the
 * SigningKeySource of src/store/secrets-key-source.ts (a put moves AWSCURRENT, one value per
 * ClientRequestToken).
 */
export const memoryStagedSecret = (placeholder = '{"placeholder":"x"}') => {
  const versions = new Map<string, Version>([
    ['v0', { value: placeholder, stages: ['AWSCURRENT'] }],
  ]);
  const withStage = (stage: string) => [...versions].find(([, v]) => v.stages.includes(stage));
  const unlabel = (stage: string) => {
    for (const v of versions.values()) v.stages = v.stages.filter((s) => s !== stage);
  };
  const parse = (value: string | null | undefined): SigningKeySet | null => {
    const parsed = value ? JSON.parse(value) : null;
    return parsed && typeof parsed.generation === 'number' ? parsed : null;
  };

  const secret: StagedKeySecret = {
    async versions() {
      return Object.fromEntries([...versions].map(([id, v]) => [id, [...v.stages]]));
    },
    async read(id) {
      return parse(versions.get(id)?.value);
    },
    async putPending(token, set) {
      const version = versions.get(token);
      if (version?.value) throw new Error('ResourceExistsException');
      unlabel('AWSPENDING');
      versions.set(token, { value: JSON.stringify(set), stages: ['AWSPENDING'] });
    },
    async promote(token, from) {
      const version = versions.get(token);
      if (!version || !versions.get(from)?.stages.includes('AWSCURRENT')) {
        throw new Error('InvalidParameterException');
      }
      unlabel('AWSCURRENT');
      // Secrets Manager takes AWSPENDING off once the rotation finished.
      version.stages = ['AWSCURRENT'];
    },
    async abandon(token) {
      const version = versions.get(token);
      if (version) version.stages = version.stages.filter((s) => s !== 'AWSPENDING');
    },
  };

  const source: SigningKeySource = {
    load: async () => parse(withStage('AWSCURRENT')?.[1].value),
    async save(set) {
      const token = `signing-keys-${set.generation}`;
      const existing = versions.get(token);
      if (existing) return parse(existing.value) as SigningKeySet;
      unlabel('AWSCURRENT');
      versions.set(token, { value: JSON.stringify(set), stages: ['AWSCURRENT'] });
      return set;
    },
  };

  return {
    secret,
    source,
    /** RotateSecret: a new version labelled AWSPENDING, refused while one is in progress. */
    beginRotation(token: string) {
      const pending = withStage('AWSPENDING');
      if (pending && !pending[1].stages.includes('AWSCURRENT')) {
        throw new Error('A previous rotation isn’t complete.');
      }
      versions.set(token, { value: null, stages: ['AWSPENDING'] });
    },
    current: () => parse(withStage('AWSCURRENT')?.[1].value),
    stagesOf: (token: string) => versions.get(token)?.stages ?? [],
  };
};
