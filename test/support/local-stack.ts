import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalStack, startLocalStack } from '../../dev/local-stack';
import { httpClient } from './http-client';
import { mailbox } from './mailbox';
import { oauthCalls } from './oauth';

/**
 * The whole local service for one test file (its own in-memory DynamoDB Local, SES emulator,
 * keys and port), with a JSON client for it, its OAuth forms and the mails it sent (`mail()`).
 */
export const useLocalStack = (env: Record<string, string>) => {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({
      keysFile: join(mkdtempSync(join(tmpdir(), 'gh-e2e-')), 'keys.json'),
      env: { LOG_LEVEL: 'silent', ...env },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const current = (): LocalStack => {
    if (!stack) throw new Error('The local stack has not started.');
    return stack;
  };
  const client = httpClient(() => current().url);
  return {
    stack: current,
    mail: () => mailbox(current().sesUrl),
    ...client,
    ...oauthCalls(client.call),
  };
};
