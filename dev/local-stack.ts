import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/core/shared/config';
import { type DefaultOwnerResult, ensureDefaultOwner } from '../src/core/users/default-owner';
import { type ImportSummary, importUsers, parseUsersJson } from '../src/core/users/user-import';
import { buildDeps, ownerPasswordFromEnv } from '../src/http/composition';
import { createTables } from '../src/store/create-tables';
import { createDynamoClient } from '../src/store/dynamo-client';
import { tableNamesFromEnv } from '../src/store/dynamo-settings';
import { startDynamoDbLocal } from './dynamodb-local';
import { heldPort, holdPort, startDevServer } from './server';
import { localEmailFrom, startSesLocal } from './ses-local';

export interface LocalStackOptions {
  /** Persist DynamoDB and the signing keys here; in memory (keys in a temp dir) when unset. */
  dataDir?: string;
  /** Keys file when dataDir is unset. */
  keysFile?: string;
  port?: number;
  dynamoPort?: number;
  /** The local SES emulator's port; a free one when unset. */
  sesPort?: number;
  /**
   * A DynamoDB Local already running (the tests' shared one), used instead of starting one;
   * the tables named in `env` keep this stack apart. Not stopped with the stack.
   */
  dynamoEndpoint?: string;
  /** Settings, as environment variables (../shared/API.md, Settings). */
  env?: Record<string, string>;
}

export interface LocalStack {
  url: string;
  dynamoEndpoint: string;
  /** The local SES emulator: SES_ENDPOINT, and the page where the mails sent can be read. */
  sesUrl: string;
  owner: DefaultOwnerResult;
  /** What USERS_IMPORT_FILE brought in, when it is set. */
  usersImport?: ImportSummary;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local, the SES emulator, the tables, the default owner and the local API Gateway:
 * what `npm start` runs and what the end-to-end tests start, each with its own settings.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const held = await holdPort(options.port ?? 0);
  const port = heldPort(held);
  Object.assign(process.env, { PORT: String(port) }, options.env);
  const release = () => new Promise<void>((done) => held.close(() => done()));
  try {
    loadConfig(process.env); // a bad setting stops here, before anything starts
  } catch (error) {
    await release();
    throw error;
  }

  const ses = await startSesLocal(options.sesPort ? { port: options.sesPort } : {}).catch(
    async (error: unknown) => {
      await release();
      throw error;
    },
  );
  // A given SES_ENDPOINT wins: the tests put a controllable gate in front of the emulator.
  process.env.SES_ENDPOINT = options.env?.SES_ENDPOINT ?? ses.url;
  process.env.EMAIL_FROM ||= localEmailFrom;
  const given = options.dynamoEndpoint;
  const dynamo = await (given
    ? Promise.resolve({ endpoint: given, stop: async () => {} })
    : startDynamoDbLocal({
        ...(options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {}),
        ...(options.dynamoPort ? { port: options.dynamoPort } : {}),
      })
  ).catch(async (error: unknown) => {
    await Promise.all([ses.stop(), release()]);
    throw error;
  });
  try {
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    process.env.SIGNING_KEYS_FILE = resolve(
      options.dataDir
        ? join(options.dataDir, 'signing-keys.json')
        : (options.keysFile ?? '.data/test-keys.json'),
    );
    const client = createDynamoClient({ endpoint: dynamo.endpoint });
    await createTables(client, tableNamesFromEnv(process.env));
    client.destroy();

    const deps = buildDeps(process.env);
    const owner = await ensureDefaultOwner(deps, ownerPasswordFromEnv(process.env));
    // Idempotent, so every start imports it again and finds what is already there unchanged.
    const importFile = process.env.USERS_IMPORT_FILE;
    const usersImport = importFile
      ? await importUsers(
          deps,
          { kind: 'operator', name: 'USERS_IMPORT_FILE' },
          parseUsersJson(await readFile(resolve(importFile), 'utf8')),
        )
      : undefined;
    await deps.signer('ES256'); // create and publish the signing keys before the first request
    const server = await startDevServer({ held });
    return {
      url: server.url,
      dynamoEndpoint: dynamo.endpoint,
      sesUrl: ses.url,
      owner,
      ...(usersImport ? { usersImport } : {}),
      stop: async () => {
        await server.close();
        await Promise.all([dynamo.stop(), ses.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([dynamo.stop(), ses.stop(), release()]);
    throw error;
  }
};
