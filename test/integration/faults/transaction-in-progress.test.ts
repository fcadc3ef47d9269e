/**
 * Regression (red team 17): an attempt cut by the 1.5 s attempt timeout while DynamoDB still runs the
 * transaction is retried with the same ClientRequestToken; DynamoDB answers
 * TransactionInProgressException (AWS: "retry after a short wait"). The budget neither retries
 * nor translates it: the refresh answers 500, and the rotation may then land, so the client's
 * retry with the same refresh token reads as reuse and ends the session.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransactionInProgressException } from '@aws-sdk/client-dynamodb';
import type { HandlerExecutionContext } from '@smithy/types';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { signInWithPassword } from '../../../src/core/sessions/sign-in';
import { refresh, signOut } from '../../../src/http/actions/sessions';
import { buildDeps } from '../../../src/http/composition';
import { createHandler } from '../../../src/http/handler';
import { AWS_BUDGET } from '../../../src/store/aws-client-budget';
import { createTables } from '../../../src/store/create-tables';
import { createDocumentClient, createDynamoClient } from '../../../src/store/dynamo-client';
import { createDynamoStore } from '../../../src/store/dynamo-store';
import { isTransientFailure } from '../../../src/store/transient-failure';
import { httpEvent } from '../../support/pipeline';
import { createUserWithPassword, PASSWORD } from '../../support/users';

const prefix = `inprogress${randomUUID().slice(0, 8)}`;
const names = { users: `${prefix}-Users`, tokens: `${prefix}-Tokens`, audit: `${prefix}-Audit` };
const client = createDynamoClient({ endpoint: inject('sharedDynamoEndpoint') }, AWS_BUDGET);
let inProgress = false;
client.middlewareStack.add(
  (next, context: HandlerExecutionContext) => async (args) => {
    if (inProgress && context.commandName === 'TransactWriteItemsCommand') {
      throw new TransactionInProgressException({
        message: 'Transaction is in progress',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return next(args);
  },
  { step: 'deserialize', priority: 'high', name: 'transactionInProgress' },
);
const env: Record<string, string> = {
  ISSUER_URL: 'https://gatehouse.test',
  SIGNING_KEYS_FILE: join(mkdtempSync(join(tmpdir(), 'gh-inprogress-')), 'keys.json'),
  USERS_TABLE: names.users,
  TOKENS_TABLE: names.tokens,
  AUDIT_TABLE: names.audit,
  LOG_LEVEL: 'silent',
};
const deps = buildDeps(env, createDynamoStore(createDocumentClient(client), names));
const handler = createHandler(
  'token',
  { 'POST /auth/refresh': refresh, 'POST /auth/sign-out': signOut },
  { deps: () => deps },
);

beforeAll(async () => {
  await createTables(createDynamoClient({ endpoint: inject('sharedDynamoEndpoint') }), names);
});
afterAll(() => client.destroy());

it('TransactionInProgressException is a transient failure', () => {
  const error = new TransactionInProgressException({
    message: 'Transaction is in progress',
    $metadata: { httpStatusCode: 400 },
  });
  expect(isTransientFailure(error)).toBe(true);
});

it('a refresh whose transaction is still in progress answers 503 with Retry-After, not 500', async () => {
  const user = await createUserWithPassword(deps, { role: 'viewer' });
  const tokens = await signInWithPassword(deps, { login: user.email, password: PASSWORD });
  inProgress = true;
  const result = await handler(
    httpEvent('POST /auth/refresh', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: tokens.refresh_token }),
    }),
    {} as Context,
  ).finally(() => {
    inProgress = false;
  });
  expect(result.statusCode, String(result.body)).toBe(503);
  expect(result.headers?.['retry-after'] ?? result.headers?.['Retry-After']).toBeDefined();
});
