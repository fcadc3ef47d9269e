import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/core/shared/config';
import { type DefaultOwnerResult, ensureDefaultOwner } from '../src/core/users/default-owner';
import { type ImportSummary, importUsers, parseUsersJson } from '../src/core/users/user-import';
import { buildDeps, ownerPasswordFromEnv } from '../src/http/composition';
import { createTables } from '../src/store/create-tables';
import { createDynamoClient } from '../src/store/dynamo-client';
import { tableNamesFromEnv } from '../src/store/dynamo-settings';
import { tables } from '../src/store/schema';
import { startDynamoDbLocal } from './dynamodb-local';
import { heldPort, holdPort, startDevServer } from './server';
import { localEmailFrom, startSesLocal } from './ses-local';
import { supervise } from './supervise';

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
  /** Where restarts of DynamoDB Local and the SES emulator are told; stderr when unset. */
  say?: (line: string) => void;
}

export interface LocalStack {
  url: string;
  dynamoEndpoint: string;
  /** The local SES emulator: SES_ENDPOINT, and the page where the mails sent can be read. */
  sesUrl: string;
  owner: DefaultOwnerResult;
  /** What USERS_IMPORT_FILE brought in, when it is set. */
  usersImport?: ImportSummary;
  /** Settles with the reason when a helper died more often than it may be restarted. */
  gaveUp: Promise<string>;
  stop(): Promise<void>;
}

/** Creates the tables that are missing (all of them in a fresh database). */
const ensureTables = async (endpoint: string) => {
  const client = createDynamoClient({ endpoint });
  try {
    await createTables(client, tableNamesFromEnv(process.env));
  } finally {
    client.destroy();
  }
};

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
  // The local authorizers count API token uses as Gatehouse's own does on AWS (it is given the
  // audit table), flushing every second so a test reads its uses at once.
  process.env[tables.audit.envVar] ||= tableNamesFromEnv(process.env).audit;
  process.env.TOKEN_USE_FLUSH_SECONDS ||= '1';
  const given = options.dynamoEndpoint;
  const dynamoDir = options.dataDir ? join(options.dataDir, 'dynamodb') : undefined;
  const dynamo = await (given
    ? Promise.resolve({
        endpoint: given,
        died: new Promise<string>(() => {}),
        stop: async () => {},
      })
    : startDynamoDbLocal({
        ...(dynamoDir ? { dataDir: dynamoDir } : {}),
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
    await ensureTables(dynamo.endpoint);

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
    const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
    let giveUp: (reason: string) => void = () => {};
    const gaveUp = new Promise<string>((done) => {
      giveUp = done;
    });
    // Same port and data: the service's endpoint settings stay true across a restart.
    const dynamoPort = Number(new URL(dynamo.endpoint).port);
    const supervisedDynamo = supervise(
      'DynamoDB Local',
      dynamo,
      async () => {
        const again = await startDynamoDbLocal({
          port: dynamoPort,
          ...(dynamoDir ? { dataDir: dynamoDir } : {}),
        });
        // In memory, its tables went with it; on disk this finds them all there.
        await ensureTables(again.endpoint).catch(async (error: unknown) => {
          await again.stop();
          throw error;
        });
        if (!dynamoDir) say('DynamoDB Local runs in memory: its data is gone.');
        return again;
      },
      { say, giveUp },
    );
    const supervisedSes = supervise(
      'The SES emulator',
      ses,
      () => startSesLocal({ port: ses.port }),
      { say, giveUp },
    );
    return {
      url: server.url,
      dynamoEndpoint: dynamo.endpoint,
      sesUrl: ses.url,
      owner,
      ...(usersImport ? { usersImport } : {}),
      gaveUp,
      stop: async () => {
        await server.close();
        await Promise.all([supervisedDynamo.stop(), supervisedSes.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([dynamo.stop(), ses.stop(), release()]);
    throw error;
  }
};
