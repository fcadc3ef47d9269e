import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../dev/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One in-memory DynamoDB Local for the whole run: each file makes its own tables on it. */
    sharedDynamoEndpoint: string;
  }
}

/**
 * The integration project's global setup: one DynamoDB Local (a JVM takes seconds to start)
 * instead of one per test file. Files keep apart by table names (test/support/dynamodb.ts,
 * test/support/local-stack.ts); a file that needs a database of its own (persisted data, the
 * CLI's default table names, a stopped database) still starts one.
 */
export default async function setup(project: TestProject) {
  const local = await startDynamoDbLocal();
  project.provide('sharedDynamoEndpoint', local.endpoint);
  return async () => {
    await local.stop();
  };
}
