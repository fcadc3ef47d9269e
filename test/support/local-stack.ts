import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, inject, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '../../dev/local-stack';
import { createDynamoClient } from '../../src/store/dynamo-client';
import type { TableNames } from '../../src/store/dynamo-settings';
import { tables } from '../../src/store/schema';
import { httpClient } from './http-client';
import { mailbox } from './mailbox';
import { oauthCalls } from './oauth';

/**
 * The whole local service for one test file (its own tables on the run's shared DynamoDB Local,
 * its own SES emulator, keys and port), with a JSON client for it, its OAuth forms and the
 * mails it sent (`mail()`).
 */
export const useLocalStack = (env: Record<string, string>) => {
  let stack: LocalStack | undefined;
  const prefix = `e2e${randomUUID().slice(0, 8)}`;
  const names: TableNames = {
    users: `${prefix}-Users`,
    tokens: `${prefix}-Tokens`,
    audit: `${prefix}-Audit`,
  };
  const keysFile = join(mkdtempSync(join(tmpdir(), 'gh-e2e-')), 'keys.json');
  const start = (settings: Record<string, string>) =>
    startLocalStack({
      keysFile,
      dynamoEndpoint: inject('sharedDynamoEndpoint'),
      env: {
        LOG_LEVEL: 'silent',
        [tables.users.envVar]: names.users,
        [tables.tokens.envVar]: names.tokens,
        [tables.audit.envVar]: names.audit,
        ...settings,
      },
    });
  beforeAll(async () => {
    stack = await start(env);
  });
  afterAll(async () => {
    await stack?.stop();
    // The shared database outlives this file: its tables go with it.
    const shared = inject('sharedDynamoEndpoint');
    if (!shared) return;
    const client = createDynamoClient({ endpoint: shared });
    await Promise.all(
      Object.values(names).map((TableName) =>
        client.send(new DeleteTableCommand({ TableName })).catch(() => {}),
      ),
    );
    client.destroy();
  });
  const current = (): LocalStack => {
    if (!stack) throw new Error('The local stack has not started.');
    return stack;
  };
  const client = httpClient(() => current().url);
  /**
   * An operator's redeploy with changed settings: the same tables and keys, every function
   * loaded again (a Lambda cold start reads its environment once).
   */
  const restart = async (changed: Record<string, string>) => {
    await current().stop();
    stack = undefined;
    vi.resetModules();
    stack = await start({ ...env, ...changed });
  };
  return {
    stack: current,
    /** This file's table names (a test seeds what no route makes, e.g. a consent). */
    tables: names,
    restart,
    mail: () => mailbox(current().sesUrl),
    ...client,
    ...oauthCalls(client.call),
  };
};
