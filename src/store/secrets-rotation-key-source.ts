import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { StagedKeySecret } from '../core/tokens/key-rotation';
import { parseKeySet } from './secrets-key-source';

const isNotFound = (error: unknown) =>
  (error as { name?: string }).name === 'ResourceNotFoundException';

/** The signing-keys secret's versions and labels, for its rotation function. */
export const createSecretsStagedKeySecret = (
  client: SecretsManagerClient,
  secretId: string,
): StagedKeySecret => ({
  async versions() {
    const { VersionIdsToStages } = await client.send(
      new DescribeSecretCommand({ SecretId: secretId }),
    );
    return VersionIdsToStages ?? {};
  },
  async read(versionId) {
    try {
      const { SecretString } = await client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }),
      );
      return parseKeySet(SecretString);
    } catch (error) {
      // A version Secrets Manager made for the rotation holds no value until createSecret.
      if (isNotFound(error)) return null;
      throw error;
    }
  },
  async putPending(token, set) {
    await client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify(set),
        VersionStages: ['AWSPENDING'],
      }),
    );
  },
  async promote(token, from) {
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        RemoveFromVersionId: from,
      }),
    );
  },
  async abandon(token) {
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: token,
      }),
    );
  },
});
