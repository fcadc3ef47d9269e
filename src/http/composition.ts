import { systemClock } from '../core/clock';
import { loadConfig } from '../core/config';
import type { CoreDeps } from '../core/deps';
import { createBcryptHasher } from '../core/password-hasher';
import { scopeCatalogFromEnv } from '../core/roles';
import {
  currentSigner,
  ensureSigningKeySet,
  publicJwks,
  type Signer,
  type SigningKeySource,
} from '../core/signing-keys';
import type { Store } from '../core/store';
import { createDocumentClient, createDynamoClient } from '../store/dynamo-client';
import { dynamoSettingsFromEnv, tableNamesFromEnv } from '../store/dynamo-settings';
import { createDynamoStore } from '../store/dynamo-store';
import { createFileKeySource } from '../store/file-key-source';
import { logger } from './logger';
import { mailQueueFromEnv } from './mail-queue';
import { userEventsFromEnv } from './user-events';

type Env = Record<string, string | undefined>;

const keySourceFromEnv = async (env: Env): Promise<SigningKeySource> => {
  if (env.SIGNING_KEYS_SECRET_ARN) {
    const [{ SecretsManagerClient }, { createSecretsKeySource }] = await Promise.all([
      import('@aws-sdk/client-secrets-manager'),
      import('../store/secrets-key-source'),
    ]);
    return createSecretsKeySource(new SecretsManagerClient({}), env.SIGNING_KEYS_SECRET_ARN);
  }
  return createFileKeySource(env.SIGNING_KEYS_FILE || '.data/signing-keys.json');
};

/** Loads (or on first start creates) the signing keys and makes sure their public half is published. */
const loadSigner = async (env: Env, store: Store, now: number): Promise<Signer> => {
  const set = await ensureSigningKeySet(await keySourceFromEnv(env), now);
  const published = await store.getPublishedKeys();
  if (!published || published.generation < set.generation) {
    await store.publishKeys(set.generation, publicJwks(set).keys);
  }
  return currentSigner(set);
};

export const storeFromEnv = (env: Env): Store =>
  createDynamoStore(
    createDocumentClient(createDynamoClient(dynamoSettingsFromEnv(env))),
    tableNamesFromEnv(env),
  );

/** The composition root: everything a handler needs, built once per cold start. */
export const buildDeps = (env: Env, store: Store = storeFromEnv(env)): CoreDeps => {
  const config = loadConfig(env);
  let signer: Promise<Signer> | undefined;
  return {
    config,
    store,
    clock: systemClock,
    hasher: createBcryptHasher(config.bcryptCost),
    scopes: scopeCatalogFromEnv(env),
    events: userEventsFromEnv(env),
    mail: mailQueueFromEnv(env),
    onAuditFailure: (error, event) =>
      logger.error(
        { err: error, action: event.action, target: event.target_id },
        'audit event lost',
      ),
    signer: () => {
      signer ??= loadSigner(env, store, systemClock.now()).catch((error: unknown) => {
        signer = undefined;
        throw error;
      });
      return signer;
    },
  };
};

/**
 * A secret setting: the variable itself (locally), or the Secrets Manager secret its `_ARN`
 * twin names (on AWS, where CDK keeps secrets out of the template).
 */
export const secretSetting = async (env: Env, name: string): Promise<string | undefined> => {
  if (env[name]) return env[name];
  const arn = env[`${name}_SECRET_ARN`];
  if (!arn) return undefined;
  const { SecretsManagerClient, GetSecretValueCommand } = await import(
    '@aws-sdk/client-secrets-manager'
  );
  const secret = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: arn }),
  );
  return secret.SecretString;
};

/** The default owner's password: DEFAULT_OWNER_PASSWORD, or the secret CDK generated. */
export const ownerPasswordFromEnv = (env: Env) => (): Promise<string | undefined> =>
  secretSetting(env, 'DEFAULT_OWNER_PASSWORD');

let processDeps: CoreDeps | undefined;

export const appDeps = (): CoreDeps => {
  if (!processDeps) {
    processDeps = buildDeps(process.env);
    if (!processDeps.config.requireUserAuthentication) {
      logger.warn(
        'REQUIRE_USER_AUTHENTICATION=0: requests without a token act as the default owner. Development only.',
      );
    }
  }
  return processDeps;
};
