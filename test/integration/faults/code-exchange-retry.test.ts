/**
 * Regression (red team 17): a DynamoDB fault during the code exchange answers 503
 * temporarily_unavailable ("try again"); the retry must then succeed. Spending the code before
 * the reads and the session write turned an outage into invalid_grant (sign in again).
 */
import { beforeAll, expect, it } from 'vitest';
import { issueAuthorizationCode } from '../../../src/core/oauth/authorization-codes';
import { useFaultStack } from '../../support/fault-stack';
import { pkcePair, storedClient } from '../../support/oauth-fixtures';
import { createUserWithPassword } from '../../support/users';

const stack = useFaultStack();
const { call, faults } = stack;
let user: { id: string };
let client: { clientId: string; redirectUris: string[] };

beforeAll(async () => {
  user = await createUserWithPassword(stack.deps, { role: 'viewer' });
  // biome-ignore lint/suspicious/noExplicitAny: fixture typing
  client = await storedClient(stack.deps as any);
});

const freshForm = async () => {
  const { verifier, challenge } = pkcePair('r');
  const code = await issueAuthorizationCode(stack.deps, {
    clientId: client.clientId,
    redirectUri: client.redirectUris[0] as string,
    codeChallenge: challenge,
    userId: user.id,
    scope: ['openid'],
  });
  return {
    grant_type: 'authorization_code',
    code,
    client_id: client.clientId,
    redirect_uri: client.redirectUris[0] as string,
    code_verifier: verifier,
  };
};

it('a 503 on the code exchange leaves the code usable for the retry (every call N)', async () => {
  faults.countFromNow();
  const healthy = await call('oauth', 'POST /oauth/token', { form: await freshForm() });
  expect(healthy.status, healthy.body).toBe(200);
  const n = faults.calls();
  const commands = faults.commands();
  const refusedAfter503: string[] = [];
  for (let from = 1; from <= n; from++) {
    const form = await freshForm();
    faults.fail('throttle', from);
    const first = await call('oauth', 'POST /oauth/token', { form });
    faults.heal();
    if (first.status !== 503) continue;
    const retry = await call('oauth', 'POST /oauth/token', { form });
    if (retry.status !== 200)
      refusedAfter503.push(
        `fault from call ${from} (${commands[from - 1]}): retry ${retry.status} ${retry.body}`,
      );
  }
  expect(refusedAfter503).toEqual([]);
});
