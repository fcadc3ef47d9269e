import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import { endSessionByRefreshToken } from '../../src/core/sessions/sessions';
import { isGatehouseError } from '../../src/core/shared/errors';
import { newId } from '../../src/core/shared/ids';
import type { Store } from '../../src/core/shared/store';
import { revokeAnyToken } from '../../src/core/tokens/token-revocation';
import { importUsers } from '../../src/core/users/user-import';
import { resetPassword, updateUser } from '../../src/core/users/user-management';
import { tokenAction } from '../../src/http/actions/oauth-token';
import { refresh } from '../../src/http/actions/sessions';
import { errorAnswer } from '../../src/http/error-answer';
import { type TestDeps, testDeps } from './core-deps';
import { actionRequest } from './pipeline';
import { assertOverSequences } from './sequence-property';
import { aUser } from './users';

/**
 * Invariant (imported refresh credentials, API.md Federation): whatever the sequence of
 * imports (with the row's token, without it, with another), refreshes at both endpoints, role
 * changes, password resets, disable/enable, sign-outs and revocations, a users.json
 * refresh_token works iff it is the row's current token and no death event happened since it
 * was first imported; when it works the same value comes back and the access token carries
 * the user's current role. Checked against a model over random sequences.
 */

type Value = number; // an index into the run's three ServiceX values

type Op =
  | { kind: 'import'; value: Value | null }
  | { kind: 'refresh'; value: Value; endpoint: 'auth' | 'oauth' }
  | { kind: 'roleChange' }
  | { kind: 'passwordReset' }
  | { kind: 'setStatus'; status: 'active' | 'disabled' }
  | { kind: 'signOut'; value: Value }
  | { kind: 'revoke'; value: Value };

const value = fc.nat(2);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('import' as const),
      value: fc.option(value, { nil: null, freq: 4 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('refresh' as const),
      value,
      endpoint: fc.constantFrom('auth' as const, 'oauth' as const),
    }),
  },
  fc.constant({ kind: 'roleChange' as const }),
  fc.constant({ kind: 'passwordReset' as const }),
  fc.record({
    kind: fc.constant('setStatus' as const),
    status: fc.constantFrom('active' as const, 'disabled' as const),
  }),
  fc.record({ kind: fc.constant('signOut' as const), value }),
  fc.record({ kind: fc.constant('revoke' as const), value }),
);

const request = (deps: TestDeps, body: unknown) => actionRequest(deps, body);

const operator = { kind: 'operator', name: 'property' } as const;

/** The answer of a refresh at either endpoint (no client authentication), or null if refused. */
const present = async (deps: TestDeps, token: string, endpoint: 'auth' | 'oauth') => {
  if (endpoint === 'auth') {
    try {
      return JSON.parse((await refresh(request(deps, { refresh_token: token }))).body as string);
    } catch (error) {
      if (isGatehouseError(error)) return null;
      throw error;
    }
  }
  const form = { grant_type: 'refresh_token', refresh_token: token };
  const reply = await tokenAction(request(deps, form)).catch((error: unknown) => {
    const answer = errorAnswer('oauth', error);
    if (!answer) throw error;
    return answer;
  });
  if (reply.statusCode === 200) return JSON.parse(reply.body as string);
  expect([400, 401, 403]).toContain(reply.statusCode);
  return null;
};

const roleIn = (jwt: string): string =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()).role;

const run = async (store: Store, ops: Op[]) => {
  const deps = testDeps({}, store);
  const values = [0, 1, 2].map(() => `servicex-${randomBytes(18).toString('base64url')}`);
  const email = `ann-${newId()}@example.com`;
  const owner = aUser({ role: 'owner' });
  await store.createUser(owner);
  const ownerActor = { kind: 'user', user: owner, tokenId: null, origin: 'self' } as const;

  // The model: the row's current value, which values were ever stored, which still live.
  let current: Value | null = null;
  const everStored = new Set<Value>();
  const alive = new Set<Value>();
  let role: 'viewer' | 'editor' = 'viewer';
  let status: 'active' | 'disabled' = 'active';
  let userId: string | null = null;
  const deathOfAll = () => alive.clear();

  for (const step of ops) {
    deps.clock.advance(1);
    if (step.kind === 'import') {
      const row = {
        email,
        name: 'Ann',
        ...(step.value === null ? {} : { refresh_token: values[step.value] }),
      };
      const summary = await importUsers(deps, operator, [row]);
      userId ??= (await store.findUserByEmail(email.toLowerCase()))?.id ?? null;
      const refusedNew = step.value !== null && !everStored.has(step.value) && status !== 'active';
      expect(summary.failed.length, JSON.stringify(summary.failed)).toBe(refusedNew ? 1 : 0);
      if (refusedNew) continue;
      current = step.value;
      for (const v of [...alive]) if (v !== step.value) alive.delete(v);
      if (step.value !== null && !everStored.has(step.value)) {
        everStored.add(step.value);
        alive.add(step.value);
      }
    } else if (step.kind === 'refresh') {
      const answer = await present(deps, values[step.value] as string, step.endpoint);
      const works = alive.has(step.value) && status === 'active';
      if (works) expect(current, 'only the row’s current value lives').toBe(step.value);
      expect(answer !== null, `refresh of value ${step.value}`).toBe(works);
      if (answer) {
        expect(answer.refresh_token).toBe(values[step.value]);
        expect(roleIn(answer.access_token)).toBe(role);
      }
    } else if (userId === null) {
      // Nobody to act on before the first import.
    } else if (step.kind === 'roleChange') {
      role = role === 'viewer' ? 'editor' : 'viewer';
      await updateUser(deps, operator, userId, { role }, noRequest);
      deathOfAll();
    } else if (step.kind === 'passwordReset') {
      await resetPassword(deps, operator, userId, undefined, noRequest);
      deathOfAll();
    } else if (step.kind === 'setStatus') {
      if (step.status === status) continue;
      await updateUser(deps, operator, userId, { status: step.status }, noRequest);
      status = step.status;
      deathOfAll();
    } else if (step.kind === 'signOut') {
      await endSessionByRefreshToken(deps, values[step.value] as string);
      alive.delete(step.value);
    } else {
      await revokeAnyToken(
        deps,
        ownerActor,
        values[step.value] as string,
        async () => {
          throw new Error('not an access token');
        },
        noRequest,
      );
      alive.delete(step.value);
    }
  }
};

export const importedRefreshProperty = (
  freshStore: () => Promise<Store>,
  options: { numRuns: number; maxOps: number },
) => assertOverSequences(op, run, freshStore, options);
