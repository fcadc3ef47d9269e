import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../src/core/oauth/authorization-codes';
import { deleteClient } from '../../src/core/oauth/clients';
import { allowConsent, revokeGrant } from '../../src/core/oauth/consent';
import { rotateRefreshToken } from '../../src/core/sessions/sessions';
import { isGatehouseError } from '../../src/core/shared/errors';
import { sha256 } from '../../src/core/shared/ids';
import type { Store } from '../../src/core/shared/store';
import { createTokenAction } from '../../src/http/actions/api-tokens';
import { signOut } from '../../src/http/actions/sessions';
import type { ActionRequest } from '../../src/http/handler';
import type { Principal } from '../../src/http/principal';
import { operatorRegisters } from './clients';
import { type TestDeps, testDeps } from './core-deps';
import { actionRequest } from './pipeline';
import { assertOverSequences } from './sequence-property';
import { createUserWithPassword } from './users';

/**
 * Invariants (delegated callers and consent withdrawal, src/core/account/account-access.ts and
 * consent.ts), checked against a model over random sequences of operations:
 * - a code of a third-party client is exchanged, and its session refreshed, only while the
 *   user's consent for it exists and covers the scope; a refresh refused for that ends the
 *   session; a first-party client needs no consent;
 * - withdrawing the consent (revokeGrant) ends, in the store, every session the client holds
 *   for the user (the DynamoDB store reads the client's consistent list);
 * - a delegated caller (a third-party client's token, or a deleted client's) never mints an
 *   API token nor signs the user out everywhere (403 `forbidden`); others may.
 */

/** Clients: 0 first-party, 1 third-party, 2 first-party that an op may delete. */
const CLIENTS = 3;
const SCOPES = ['profile', 'tokens:read', 'tokens:write', 'cli'] as const;
const scopeArb = fc.subarray([...SCOPES], { minLength: 1 });

type Op =
  | { kind: 'allow'; scope: string[] }
  | { kind: 'withdraw' }
  | { kind: 'dropConsentOnly' }
  | { kind: 'deleteClient' }
  | { kind: 'issueCode'; client: number; scope: string[] }
  | { kind: 'exchange'; code: number }
  | { kind: 'refresh'; session: number }
  | { kind: 'mint'; session: number }
  | { kind: 'signOutAll'; session: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('allow' as const), scope: scopeArb }),
  fc.constant({ kind: 'withdraw' as const }),
  fc.constant({ kind: 'dropConsentOnly' as const }),
  fc.constant({ kind: 'deleteClient' as const }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('issueCode' as const),
      client: fc.nat(CLIENTS - 1),
      scope: scopeArb,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('exchange' as const), code: fc.nat(7) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('refresh' as const), session: fc.nat(7) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mint' as const), session: fc.nat(7) }) },
  fc.record({ kind: fc.constant('signOutAll' as const), session: fc.nat(7) }),
);

const VERIFIER = 'a-code-verifier-that-is-long-enough-for-pkce-0123456789';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const REDIRECT = 'https://app.example.com/cb';

interface ModelClient {
  id: string;
  firstParty: boolean;
  deleted: boolean;
}
interface ModelCode {
  code: string;
  client: number;
  scope: string[];
  used: boolean;
}
interface ModelSession {
  sid: string;
  client: number;
  scope: string[];
  refresh: string;
  revoked: boolean;
}

const covers = (consent: Set<string> | null, scope: string[]) =>
  consent !== null && scope.every((s) => consent.has(s));

/** The error code an attempt ended with, or null when it worked. */
const outcome = async (work: Promise<unknown>): Promise<string | null> => {
  try {
    await work;
    return null;
  } catch (error) {
    if (isGatehouseError(error)) return error.code;
    throw error;
  }
};

const run = async (store: Store, ops: Op[]) => {
  const deps: TestDeps = testDeps({}, store);
  const user = await createUserWithPassword(deps, { role: 'viewer' });
  const clients: ModelClient[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const made = await operatorRegisters(
      deps,
      {
        name: `app ${i}`,
        grant_types: ['authorization_code', 'refresh_token'],
        confidential: false,
        first_party: i !== 1,
        redirect_uris: [REDIRECT],
      },
      'property',
    );
    clients.push({ id: made.client_id, firstParty: i !== 1, deleted: false });
  }
  let consent: Set<string> | null = null;
  const codes: ModelCode[] = [];
  const sessions: ModelSession[] = [];
  const request = (session: ModelSession, body: unknown): ActionRequest => {
    const principal: Principal = {
      userId: user.id,
      actingAsDefaultOwner: false,
      role: user.role,
      scopes: session.scope,
      sid: session.sid,
      jti: '',
      clientId: (clients[session.client] as ModelClient).id,
    };
    return actionRequest(deps, body, { principal });
  };
  const delegated = (session: ModelSession) => {
    const client = clients[session.client] as ModelClient;
    return !client.firstParty || client.deleted;
  };
  const third = clients[1] as ModelClient;

  for (const step of ops) {
    deps.clock.advance(1);
    switch (step.kind) {
      case 'allow': {
        await allowConsent(
          deps,
          user,
          { ...(await clientRecord(store, third.id)) },
          step.scope,
          noRequest,
        );
        consent = new Set([...(consent ?? []), ...step.scope]);
        break;
      }
      case 'withdraw': {
        if (!consent) break;
        await revokeGrant(deps, user.id, third.id, noRequest);
        consent = null;
        for (const s of sessions) if (s.client === 1) s.revoked = true;
        // In the store itself: every session of the client for the user has ended.
        for (const s of sessions.filter((s) => s.client === 1)) {
          expect((await store.getSession(s.sid))?.revokedAt, 'withdrawn').not.toBeNull();
        }
        break;
      }
      case 'dropConsentOnly': {
        // As if a sweep had missed a session: the consent is gone, the session is not.
        await store.deleteConsent(user.id, third.id);
        consent = null;
        break;
      }
      case 'deleteClient': {
        const doomed = clients[2] as ModelClient;
        if (doomed.deleted) break;
        await deleteClient(deps, { kind: 'operator', name: 'property' }, doomed.id, noRequest);
        doomed.deleted = true;
        for (const s of sessions) if (s.client === 2) s.revoked = true;
        break;
      }
      case 'issueCode': {
        if (codes.length >= 8 || (clients[step.client] as ModelClient).deleted) break;
        const code = await issueAuthorizationCode(deps, {
          clientId: (clients[step.client] as ModelClient).id,
          redirectUri: REDIRECT,
          codeChallenge: CHALLENGE,
          userId: user.id,
          scope: step.scope,
        });
        codes.push({ code, client: step.client, scope: step.scope, used: false });
        break;
      }
      case 'exchange': {
        const code = codes[step.code % Math.max(codes.length, 1)];
        if (!code) break;
        const client = clients[code.client] as ModelClient;
        const expected =
          !code.used && !client.deleted && (client.firstParty || covers(consent, code.scope));
        let tokens: Awaited<ReturnType<typeof exchangeAuthorizationCode>> | null = null;
        const error = await outcome(
          exchangeAuthorizationCode(deps, {
            code: code.code,
            clientId: client.id,
            redirectUri: REDIRECT,
            codeVerifier: VERIFIER,
          }).then((t) => {
            tokens = t;
          }),
        );
        code.used = true;
        if (!expected) {
          expect(error, 'a refused exchange').toBe('invalid_credentials');
          break;
        }
        expect(error, 'an exchange within the consent').toBeNull();
        const issued = tokens as unknown as { refresh_token: string };
        const sid = (await store.getRefreshToken(sha256(issued.refresh_token)))?.sid as string;
        sessions.push({
          sid,
          client: code.client,
          scope: code.scope,
          refresh: issued.refresh_token,
          revoked: false,
        });
        break;
      }
      case 'refresh': {
        const session = sessions[step.session % Math.max(sessions.length, 1)];
        if (!session) break;
        const client = clients[session.client] as ModelClient;
        const record = client.deleted ? null : await store.getClient(client.id);
        const consentHolds = client.firstParty || covers(consent, session.scope);
        const expected = !session.revoked && !client.deleted && consentHolds;
        let next: string | null = null;
        const error = await outcome(
          rotateRefreshToken(deps, session.refresh, { endpoint: 'oauth', client: record }).then(
            (t) => {
              next = t.refresh_token;
            },
          ),
        );
        if (!expected) {
          expect(error, 'a refused refresh').toBe('token_invalid');
          if (!session.revoked && !client.deleted && !consentHolds) {
            // Refused for the consent: the session ends with it.
            session.revoked = true;
            expect((await store.getSession(session.sid))?.revokedAt).not.toBeNull();
          }
          break;
        }
        expect(error, 'a refresh within the consent').toBeNull();
        session.refresh = next as unknown as string;
        break;
      }
      case 'mint': {
        const session = sessions[step.session % Math.max(sessions.length, 1)];
        const scope = session?.scope.find((s) => s.startsWith('tokens:'));
        if (!session || !scope) break;
        const error = await outcome(
          createTokenAction(request(session, { name: 'minted', scopes: [scope] })),
        );
        expect(error, delegated(session) ? 'a delegated mint' : 'a mint').toBe(
          delegated(session) ? 'forbidden' : null,
        );
        break;
      }
      case 'signOutAll': {
        const session = sessions[step.session % Math.max(sessions.length, 1)];
        if (!session) break;
        const error = await outcome(signOut(request(session, { all: true })));
        if (delegated(session)) {
          expect(error, 'a delegated sign-out everywhere').toBe('forbidden');
          break;
        }
        expect(error).toBeNull();
        for (const s of sessions) s.revoked = true;
        // It moves the credential version too: codes in flight die (credential-version.ts).
        for (const c of codes) c.used = true;
        break;
      }
    }
  }
};

const clientRecord = async (store: Store, clientId: string) => {
  const client = await store.getClient(clientId);
  if (!client) throw new Error('no such client');
  return client;
};

export const delegationProperty = (
  freshStore: () => Promise<Store>,
  options: { numRuns: number; maxOps: number },
) => assertOverSequences(op, run, freshStore, options);
