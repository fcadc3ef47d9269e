import fc from 'fast-check';
import { expect } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import { createClient, deleteClient } from '../../src/core/oauth/clients';
import { startSession } from '../../src/core/sessions/sessions';
import { isGatehouseError } from '../../src/core/shared/errors';
import { sha256 } from '../../src/core/shared/ids';
import type { Store } from '../../src/core/shared/store';
import { tokenAction } from '../../src/http/actions/oauth-token';
import { refresh } from '../../src/http/actions/sessions';
import { errorAnswer } from '../../src/http/error-answer';
import { type TestDeps, testDeps } from './core-deps';
import { actionRequest } from './pipeline';
import { assertOverSequences } from './sequence-property';
import { createUserWithPassword } from './users';

/**
 * Invariant (credential binding, contract "refresh tokens and clients"): a refresh token
 * issued to a client works only at /oauth/token, presented by that client authenticated with
 * its secret, while the client exists; a sign-in's works at /auth/refresh and at /oauth/token.
 * A refused presentation changes nothing (the rightful holder's token still works); a spent
 * token presented by its rightful caller ends the session; deleting a client ends every
 * session it was issued. Checked against a model over random sequences of operations.
 */

type Caller =
  | { kind: 'auth' }
  | { kind: 'oauth-none' }
  | { kind: 'oauth-secret'; client: number }
  | { kind: 'oauth-named'; client: number };

type Op =
  | { kind: 'createClient' }
  | { kind: 'deleteClient'; client: number }
  | { kind: 'signIn'; client: number | null }
  | { kind: 'refresh'; session: number; stale: boolean; caller: Caller };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'createClient' as const }),
  fc.record({ kind: fc.constant('deleteClient' as const), client: fc.nat(3) }),
  fc.record({
    kind: fc.constant('signIn' as const),
    client: fc.option(fc.nat(3), { nil: null }),
  }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('refresh' as const),
      session: fc.nat(7),
      stale: fc.boolean(),
      caller: fc.oneof(
        fc.constant({ kind: 'auth' as const }),
        fc.constant({ kind: 'oauth-none' as const }),
        fc.record({ kind: fc.constant('oauth-secret' as const), client: fc.nat(3) }),
        fc.record({ kind: fc.constant('oauth-named' as const), client: fc.nat(3) }),
      ),
    }),
  },
);

interface ModelClient {
  id: string;
  secret: string;
  deleted: boolean;
}

interface ModelSession {
  sid: string;
  client: ModelClient | null;
  current: string;
  spent: string[];
  revoked: boolean;
}

const request = (deps: TestDeps, body: unknown) => actionRequest(deps, body);

const operator = { kind: 'operator', name: 'property' } as const;

/** The refresh token a successful attempt answers, or null when it was refused. */
const present = async (
  deps: TestDeps,
  token: string,
  caller: Caller,
  clients: ModelClient[],
): Promise<string | null> => {
  if (caller.kind === 'auth') {
    try {
      const reply = await refresh(request(deps, { refresh_token: token }));
      return JSON.parse(reply.body as string).refresh_token;
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'token_invalid') return null;
      throw error;
    }
  }
  const client = caller.kind === 'oauth-none' ? undefined : clients[caller.client];
  const form = {
    grant_type: 'refresh_token',
    refresh_token: token,
    ...(client ? { client_id: client.id } : {}),
    ...(client && caller.kind === 'oauth-secret' ? { client_secret: client.secret } : {}),
  };
  // The pipeline's error middleware answers a refused grant; here its renderer does.
  const reply = await tokenAction(request(deps, form)).catch((error: unknown) => {
    const answer = errorAnswer('oauth', error);
    if (!answer) throw error;
    return answer;
  });
  if (reply.statusCode === 200) return JSON.parse(reply.body as string).refresh_token;
  expect([400, 401]).toContain(reply.statusCode);
  return null;
};

const run = async (store: Store, ops: Op[]) => {
  const deps = testDeps({}, store);
  const user = await createUserWithPassword(deps, { role: 'editor' });
  const clients: ModelClient[] = [];
  const sessions: ModelSession[] = [];
  for (const step of ops) {
    deps.clock.advance(1);
    if (step.kind === 'createClient') {
      if (clients.length >= 4) continue;
      const made = await createClient(
        deps,
        operator,
        {
          name: `app ${clients.length}`,
          grant_types: ['password', 'refresh_token'],
          confidential: true,
          first_party: true,
        },
        noRequest,
      );
      clients.push({ id: made.client_id, secret: made.client_secret as string, deleted: false });
    } else if (step.kind === 'deleteClient') {
      const client = clients[step.client];
      if (!client || client.deleted) continue;
      await deleteClient(deps, operator, client.id, noRequest);
      client.deleted = true;
      for (const s of sessions) if (s.client === client) s.revoked = true;
    } else if (step.kind === 'signIn') {
      const client = step.client === null ? null : clients[step.client];
      if (client === undefined || client?.deleted) continue;
      const tokens = await startSession(deps, user, client?.id ?? null);
      const sid = (await store.getRefreshToken(sha256(tokens.refresh_token)))?.sid as string;
      sessions.push({ sid, client, current: tokens.refresh_token, spent: [], revoked: false });
    } else {
      const session = sessions[step.session % Math.max(sessions.length, 1)];
      if (!session) continue;
      const stale = step.stale && session.spent.length > 0;
      const token = stale ? (session.spent.at(-1) as string) : session.current;
      const caller = step.caller;
      const named = caller.kind === 'oauth-secret' || caller.kind === 'oauth-named';
      const client = named ? clients[caller.client] : undefined;
      if (named && !client) continue;
      // Client authentication fails for a confidential client without its secret, or gone.
      const clientFails =
        caller.kind === 'oauth-named' || (caller.kind === 'oauth-secret' && client?.deleted);
      const rightful =
        !clientFails &&
        (session.client === null || (caller.kind === 'oauth-secret' && client === session.client));
      const answer = await present(deps, token, caller, clients);
      if (!rightful) {
        expect(answer, 'a refusal for the wrong caller').toBeNull();
        continue;
      }
      if (stale) {
        expect(answer, 'a spent token').toBeNull();
        session.revoked = true;
      } else if (session.revoked) {
        expect(answer, 'a revoked session').toBeNull();
      } else {
        expect(answer, 'the rightful caller with the current token').toMatch(/^srt_/);
        session.spent.push(session.current);
        session.current = answer as string;
      }
    }
  }
  // Deleting a client ended every session it was issued, in the store itself.
  for (const s of sessions) {
    if (s.client?.deleted) expect((await store.getSession(s.sid))?.revokedAt).not.toBeNull();
  }
};

export const credentialBindingProperty = (
  freshStore: () => Promise<Store>,
  options: { numRuns: number; maxOps: number },
) => assertOverSequences(op, run, freshStore, options);
