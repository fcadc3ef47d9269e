import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SigningKeySet, SigningKeySource } from '../core/tokens/signing-keys';

const isKeySet = (value: unknown): value is SigningKeySet =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as SigningKeySet).generation === 'number' &&
  Array.isArray((value as SigningKeySet).keys);

export const parseKeySet = (text: string | undefined): SigningKeySet | null => {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return isKeySet(value) ? value : null;
  } catch {
    return null;
  }
};

/**
 * Signing keys in Secrets Manager. CDK creates the secret with a placeholder; the first cold
 * start replaces it. Each generation is written with the client request token
 * `signing-keys-<generation>`: Secrets Manager refuses a second, different value under the
 * same token, so when two cold starts race exactly one set is kept and the loser reads it.
 */
export const createSecretsKeySource = (
  client: SecretsManagerClient,
  secretId: string,
): SigningKeySource => {
  const load = async () =>
    parseKeySet(
      (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString,
    );
  return {
    load,
    async save(set) {
      try {
        await client.send(
          new PutSecretValueCommand({
            SecretId: secretId,
            SecretString: JSON.stringify(set),
            ClientRequestToken: `signing-keys-${String(set.generation).padStart(32, '0')}`,
          }),
        );
        return set;
      } catch (error) {
        const winner = await load();
        if (winner && winner.generation >= set.generation) return winner;
        throw error;
      }
    },
  };
};
