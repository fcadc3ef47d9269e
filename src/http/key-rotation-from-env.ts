import { loadConfig } from '../core/shared/config';
import { ROTATION_STEPS, type RotationStep, runRotationStep } from '../core/tokens/key-rotation';
import { rotationTiming } from '../core/tokens/key-timing';
import { createDocumentClient, createDynamoClient } from '../store/dynamo-client';
import { readPublishedKeys } from '../store/dynamo-published-keys';
import { dynamoSettingsFromEnv, tableNamesFromEnv } from '../store/dynamo-settings';
import { publishKeys } from '../store/publish-keys';
import { createSecretsClient } from '../store/secrets-client';
import { createSecretsStagedKeySecret } from '../store/secrets-rotation-key-source';
import { logger } from './logger';

/** What Secrets Manager sends a rotation function. */
export interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: string;
}

const isStep = (step: string): step is RotationStep =>
  (ROTATION_STEPS as readonly string[]).includes(step);

/** The rotation function of the signing-keys secret (functions/rotate-keys.ts). */
export const keyRotationFromEnv = (env: Record<string, string | undefined>) => {
  const secretArn = env.SIGNING_KEYS_SECRET_ARN ?? '';
  const table = tableNamesFromEnv(env).tokens;
  const db = createDocumentClient(createDynamoClient(dynamoSettingsFromEnv(env)));
  const deps = {
    secret: createSecretsStagedKeySecret(createSecretsClient(), secretArn),
    publish: (generation: number, keys: Parameters<typeof publishKeys>[3]) =>
      publishKeys(db, table, generation, keys),
    readPublished: async () => (await readPublishedKeys(db, table))?.keys ?? [],
    now: () => Date.now(),
    timing: rotationTiming(loadConfig(env)),
  };
  return async (event: RotationEvent): Promise<void> => {
    // Invariant: it rotates the signing keys and no other secret, whoever invokes it.
    if (event.SecretId !== secretArn) throw new Error('Not the signing-keys secret.');
    if (!isStep(event.Step)) throw new Error(`Unknown rotation step ${event.Step}.`);
    logger.info({ step: event.Step, version: event.ClientRequestToken }, 'signing-key rotation');
    await runRotationStep(deps, event.Step, event.ClientRequestToken);
  };
};
