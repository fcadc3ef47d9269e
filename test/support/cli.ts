import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, vi } from 'vitest';
import type { Store } from '../../src/core/shared/store';
import { createTables } from '../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../src/store/dynamo-client';
import { createDynamoStore } from '../../src/store/dynamo-store';
import { useDynamoDbLocal } from './dynamodb';

export const RUN = fileURLToPath(new URL('../../src/cli/run.mjs', import.meta.url));
// The names `npm start` uses, so the CLI's defaults are what is tested.
const TABLES = { users: 'Users', tokens: 'Tokens', audit: 'Audit' };

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const json = (run: Run) => JSON.parse(run.stdout);

/** A run that failed with `code` and said only `message`, on stderr. */
export const failedWith = (code: number, message: string): Run => ({
  code,
  stdout: '',
  stderr: `gatehouse: ${message}\n`,
});

/** What a usage error looks like: status 2, nothing on stdout, `text` in commander's message. */
export const usageErrorWith = (text: string) => ({
  code: 2,
  stdout: '',
  stderr: expect.stringContaining(text),
});

/**
 * The real `gatehouse` command, as a script runs it: nothing from the test's environment may
 * point it elsewhere; `env` adds settings.
 */
export const runGatehouse = (args: string[], env: Record<string, string> = {}) =>
  new Promise<Run>((done, fail) => {
    const child = spawn(process.execPath, [RUN, ...args], {
      env: {
        ...process.env,
        DYNAMODB_ENDPOINT: '',
        DYNAMODB_LOCAL_PORT: '',
        USERS_TABLE: '',
        TOKENS_TABLE: '',
        AUDIT_TABLE: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });

/**
 * A DynamoDB Local for this test file with the CLI's default tables, a store on them, and the
 * real `gatehouse` command to run against them.
 */
export const useGatehouseCli = () => {
  // Each test spawns several `gatehouse` processes (about a second each on a quiet machine):
  // room for a shared, busy one; nothing here is a timing assertion.
  vi.setConfig({ testTimeout: 120_000 });
  // Its own database: the CLI's default table names would meet other files' on a shared one.
  const dynamo = useDynamoDbLocal({ own: true });
  let store: Store | undefined;
  beforeAll(async () => {
    const client = createDynamoClient({ endpoint: dynamo.endpoint() });
    await createTables(client, TABLES);
    store = createDynamoStore(createDocumentClient(client), TABLES);
  });

  /** Runs `gatehouse` as a script would; `--endpoint` unless `env` says where. */
  const gatehouse = (args: string[], options: { env?: Record<string, string> } = {}) =>
    runGatehouse(options.env ? args : ['--endpoint', dynamo.endpoint(), ...args], options.env);

  return {
    gatehouse,
    endpoint: dynamo.endpoint,
    store: (): Store => {
      if (!store) throw new Error('The CLI tables are not created yet.');
      return store;
    },
  };
};
