import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecretsLocal, startSecretsLocal } from '../../dev/secrets-local';
import { createSecretsKeySource } from '../../src/store/secrets-key-source';

/** dev/secrets-local.ts as the real SDK sees it: what the built bundles rely on. */
describe('the local Secrets Manager endpoint', () => {
  let local: SecretsLocal;
  let client: SecretsManagerClient;
  beforeAll(async () => {
    local = await startSecretsLocal();
    client = new SecretsManagerClient({
      endpoint: local.url,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await local.stop();
  });

  it('answers GetSecretValue by ARN or name, and ResourceNotFoundException otherwise', async () => {
    const arn = local.create('owner-password', 'first');
    for (const SecretId of [arn, 'owner-password']) {
      const got = await client.send(new GetSecretValueCommand({ SecretId }));
      expect(got).toMatchObject({ ARN: arn, Name: 'owner-password', SecretString: 'first' });
    }
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: `${arn}x` })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('makes a version per ClientRequestToken: the same again is a no-op, another value is refused', async () => {
    const arn = local.create('keys', '{}');
    const put = (SecretString: string, ClientRequestToken: string) =>
      client.send(new PutSecretValueCommand({ SecretId: arn, SecretString, ClientRequestToken }));
    const token = 'signing-keys-00000000000000000000000000000001';
    expect((await put('one', token)).VersionId).toBe(token);
    expect((await put('one', token)).VersionId).toBe(token);
    await expect(put('two', token)).rejects.toBeInstanceOf(ResourceExistsException);
    expect(local.current(arn)).toBe('one');
    const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described.VersionIdsToStages?.[token]).toEqual(['AWSCURRENT']);
  });

  it('lets two racing first cold starts keep one signing key set', async () => {
    const arn = local.create('race', '{"placeholder":"x"}');
    const source = createSecretsKeySource(client, arn);
    const set = (kid: string) => ({ generation: 1, keys: [{ kid }] }) as never;
    const first = await source.save(set('winner'));
    const second = await source.save(set('loser'));
    expect(first).toEqual(set('winner'));
    expect(second).toEqual(set('winner'));
    expect(await source.load()).toEqual(set('winner'));
  });
});
