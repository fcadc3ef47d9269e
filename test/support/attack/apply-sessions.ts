import { changeOwnPassword, updateOwnProfile } from '../../../src/core/account/account';
import { noRequest } from '../../../src/core/audit/audit';
import { issueClientToken } from '../../../src/core/oauth/client-credentials';
import { createClient, deleteClient } from '../../../src/core/oauth/clients';
import {
  endAllSessions,
  endSessionByRefreshToken,
  rotateRefreshToken,
} from '../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../src/core/sessions/sign-in';
import { apiTokenDigest } from '../../../src/core/tokens/api-token-secret';
import { createApiToken, revokeApiToken } from '../../../src/core/tokens/api-tokens';
import {
  actingAs,
  addCredential,
  addSession,
  credsOf,
  kill,
  newPassword,
  nth,
  sessionsOf,
} from './acting';
import { refreshCaller } from './judge';
import type { Op } from './ops';
import { EMAILS, grant, type Person, spell, type World } from './world';

/** Steps that make, use and end credentials. */

const liveClients = (world: World) => world.clients.filter((c) => !c.deleted);

export const signInStep = async (world: World, op: Extract<Op, { op: 'signIn' }>) => {
  const cred = nth(credsOf(world, ['password']), op.password);
  if (!cred) return 'no password';
  const holder = nth([...cred.holders].sort(), op.holder) as Person;
  const client = op.client === null ? undefined : nth(liveClients(world), op.client);
  const account = await world.deps.store.getUser(cred.accountId);
  const login = account?.email ?? cred.login ?? '';
  const tokens = await signInWithPassword(world.deps, {
    login,
    password: cred.secret,
    browser: op.browser && !client,
    ...(client ? { clientId: client.clientId } : {}),
  });
  addSession(world, cred.maker, tokens, client?.clientId ?? null, new Set([holder]));
  return `${holder} signed in as ${login}${client ? ' through a client' : ''}`;
};

export const refreshStep = async (world: World, op: Extract<Op, { op: 'refresh' }>) => {
  const cred = nth(credsOf(world, ['refresh']), op.token);
  if (!cred) return 'no refresh token';
  const tokens = await rotateRefreshToken(
    world.deps,
    cred.secret,
    await refreshCaller(world.deps, cred.clientId ?? null),
  );
  cred.secret = tokens.refresh_token;
  addCredential(world, {
    kind: 'access',
    secret: tokens.access_token,
    accountId: tokens.user.id,
    ...(cred.sid ? { sid: cred.sid } : {}),
    clientId: cred.clientId ?? null,
    maker: cred.maker,
    holders: cred.holders,
  });
  return `${cred.maker} refreshed`;
};

export const signOutStep = async (world: World, op: Extract<Op, { op: 'signOut' }>) => {
  const cred = nth(credsOf(world, ['refresh']), op.token);
  if (!cred) return 'no refresh token';
  await endSessionByRefreshToken(world.deps, cred.secret, noRequest);
  // A client's refresh token is that client's to revoke: /auth/sign-out ignores it (API.md).
  if (cred.clientId) return `${cred.maker} tried to sign a client's session out: ignored`;
  kill(world, 'sign-out', (c) => c.sid !== undefined && c.sid === cred.sid);
  return `${cred.maker} signed out`;
};

export const signOutAllStep = async (world: World, op: Extract<Op, { op: 'signOutAll' }>) => {
  const acting = await actingAs(world, op.actor, 'profile');
  if (!acting) return 'no acting credential';
  await endAllSessions(world.deps, acting.user.id, noRequest);
  kill(world, 'sign-out everywhere', sessionsOf(acting.user.id));
  return `${acting.person} signed out everywhere`;
};

/** Whoever set a password tells it to the person behind the account (as an admin would). */
export const handOverStep = (world: World, op: Extract<Op, { op: 'handOver' }>) => {
  const cred = nth(credsOf(world, ['password']), op.password);
  const person = cred && world.personOf.get(cred.accountId);
  if (!cred || !person) return 'nothing to hand over';
  cred.holders.add(person);
  return `${cred.maker} told ${person} a password`;
};

export const changeOwnPasswordStep = async (
  world: World,
  op: Extract<Op, { op: 'changeOwnPassword' }>,
) => {
  const acting = await actingAs(world, op.actor, 'profile');
  if (acting?.cred.kind !== 'access' || !acting.cred.sid) return 'no session';
  const known = world.creds.filter(
    (c) =>
      c.kind === 'password' &&
      c.diedAt === null &&
      c.accountId === acting.user.id &&
      c.holders.has(acting.person),
  );
  const current = nth(known, op.password);
  if (!current) return 'knows no password of the account';
  const next = newPassword(world);
  const keepSid = acting.cred.sid;
  await changeOwnPassword(
    world.deps,
    acting.actor,
    keepSid,
    { current_password: current.secret, new_password: next },
    noRequest,
  );
  kill(
    world,
    'own password change',
    (c) =>
      c.accountId === acting.user.id &&
      (c.kind === 'password' || sessionsOf(acting.user.id, keepSid)(c)),
  );
  addCredential(world, {
    kind: 'password',
    secret: next,
    login: acting.user.email,
    accountId: acting.user.id,
    maker: acting.person,
  });
  return `${acting.person} changed their password`;
};

export const apiTokenStep = async (world: World, op: Extract<Op, { op: 'apiToken' }>) => {
  const acting = await actingAs(world, op.actor, 'tokens:write');
  if (!acting) return 'no acting credential';
  const made = await createApiToken(
    world.deps,
    acting.actor,
    acting.scopes,
    { name: 'attack', ...(op.scoped ? { scopes: ['profile', 'users:read'] } : {}) },
    noRequest,
    { sid: '', tokenId: null },
  );
  addCredential(world, {
    kind: 'api',
    secret: made.token,
    accountId: made.user_id,
    maker: acting.person,
  });
  return `${acting.person} made an API token`;
};

export const revokeApiTokenStep = async (
  world: World,
  op: Extract<Op, { op: 'revokeApiToken' }>,
) => {
  const acting = await actingAs(world, op.actor, 'tokens:write');
  const cred = nth(credsOf(world, ['api']), op.token);
  if (!acting || !cred) return 'no actor or token';
  await revokeApiToken(world.deps, acting.actor, apiTokenDigest(cred.secret).tokenId, noRequest);
  kill(world, 'API token revoked', (c) => c === cred);
  return `${acting.person} revoked ${cred.maker}'s API token`;
};

export const createClientStep = async (world: World, op: Extract<Op, { op: 'createClient' }>) => {
  const acting = await actingAs(world, op.actor, 'clients:write');
  if (!acting) return 'no acting credential';
  const client = await createClient(
    world.deps,
    acting.actor,
    {
      name: 'attack client',
      grant_types: ['password', 'refresh_token', 'client_credentials'],
      confidential: true,
      first_party: true,
    },
    noRequest,
  );
  world.clients.push({
    clientId: client.client_id,
    secret: client.client_secret ?? '',
    maker: acting.person,
    serviceUserId: client.user_id,
    deleted: false,
  });
  if (client.user_id) {
    world.personOf.set(client.user_id, acting.person);
    grant(world, acting.person, 'viewer');
  }
  return `${acting.person} registered a client`;
};

export const deleteClientStep = async (world: World, op: Extract<Op, { op: 'deleteClient' }>) => {
  const acting = await actingAs(world, op.actor, 'clients:write');
  const client = nth(liveClients(world), op.client);
  if (!acting || !client) return 'no actor or client';
  await deleteClient(world.deps, acting.actor, client.clientId, noRequest);
  client.deleted = true;
  kill(
    world,
    'client deleted',
    (c) => c.clientId === client.clientId || c.accountId === client.serviceUserId,
  );
  return `${acting.person} deleted a client`;
};

/** client_credentials: whoever holds the client's secret gets its service account's token. */
export const clientTokenStep = async (world: World, op: Extract<Op, { op: 'clientToken' }>) => {
  const client = nth(liveClients(world), op.client);
  if (!client) return 'no client';
  const record = await world.deps.store.getClient(client.clientId);
  if (!record) return 'client gone';
  const token = await issueClientToken(world.deps, record, undefined, noRequest);
  addCredential(world, {
    kind: 'access',
    secret: token.access_token,
    accountId: client.serviceUserId ?? '',
    clientId: client.clientId,
    sid: (
      JSON.parse(
        Buffer.from(token.access_token.split('.')[1] ?? '', 'base64url').toString('utf8'),
      ) as { sid: string }
    ).sid,
    maker: client.maker,
  });
  return `${client.maker} got a client_credentials token`;
};

/** `PATCH /me {email}`: the link goes to the new address; only its holder can follow it. */
export const changeOwnEmailStep = async (
  world: World,
  op: Extract<Op, { op: 'changeOwnEmail' }>,
) => {
  const acting = await actingAs(world, op.actor, 'profile');
  if (acting?.cred.kind !== 'access') return 'no session';
  const email = spell(EMAILS[op.email] ?? EMAILS[0], op.spelling);
  await updateOwnProfile(world.deps, acting.actor, { email }, noRequest);
  return `${acting.person} asked to move their account to ${email}`;
};
