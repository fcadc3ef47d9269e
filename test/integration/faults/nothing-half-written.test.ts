/**
 * Issue 17, faults: "never a half-written change". Each operation runs once healthy to count
 * its database calls; then for every N up to its last deciding call, DynamoDB fails
 * (throttled) from its N-th call on: the answer is 503 `unavailable` and every table is the
 * same as before, item for item, so a retry starts from where the caller left, never from a
 * partial change.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Reply, useFaultStack } from '../../support/fault-stack';
import { createUserWithPassword, PASSWORD } from '../../support/users';

const stack = useFaultStack();
const { call, faults } = stack;

let owner: { email: string };
let token: string;

beforeAll(async () => {
  owner = await createUserWithPassword(stack.deps, { role: 'owner' });
  const reply = await call('signIn', 'POST /auth/sign-in', {
    json: { login: owner.email, password: PASSWORD },
  });
  token = (reply.json() as { access_token: string }).access_token;
});

let serial = 0;
const operations: [string, () => Promise<Reply>, number][] = [
  [
    'user create',
    () =>
      call('users', 'POST /users', {
        token,
        json: { email: `sweep-${++serial}@faults.test`, role: 'viewer', type: 'human' },
      }),
    201,
  ],
  [
    'API token create',
    () => call('apiTokens', 'POST /tokens', { token, json: { name: `sweep-${++serial}` } }),
    201,
  ],
];

describe.each(operations)('%s', (_, operation, success) => {
  it('fails from any call N on: 503 and nothing written', async () => {
    faults.countFromNow();
    expect((await operation()).status).toBe(success);
    // The dashboard's counters (UpdateItems started after the event, never awaited) land.
    await new Promise((settled) => setTimeout(settled, 300));
    const commands = faults.commands();
    // After the change comes the audit event (a PutItem on its own): losing it loses only the
    // event, counted as AuditWriteFailures (composition.ts), not the change; after it only the
    // activity counters, whose loss loses only a count.
    const audit = commands.lastIndexOf('PutItemCommand');
    expect(commands.slice(audit + 1).every((command) => command === 'UpdateItemCommand')).toBe(
      true,
    );
    const deciding = audit;
    expect(deciding).toBeGreaterThan(0);
    for (let n = 1; n <= deciding; n++) {
      const before = await stack.snapshot();
      faults.fail('throttle', n);
      const reply = await operation();
      await new Promise((settled) => setTimeout(settled, 100));
      faults.heal();
      expect(reply.status, `fault from call ${n}: ${reply.body}`).toBe(503);
      expect(await stack.snapshot(), `fault from call ${n}`).toEqual(before);
    }
  });
});
