import type { TokenResponse } from '../../../src/core/sessions/sessions';
import { apiTokenDigest } from '../../../src/core/tokens/api-token-secret';
import { requestOrigin } from '../../../src/core/users/credential-lineage';
import type { Actor } from '../../../src/core/users/user-policy';
import type { UserRecord } from '../../../src/core/users/users';
import type { Verdict } from './judge';
import type { Credential, CredentialKind, Person, World } from './world';

/** Picks the n-th of a list, or nothing when it is empty. */
export const nth = <T>(items: readonly T[], n: number): T | undefined =>
  items.length === 0 ? undefined : items[n % items.length];

/** Accounts the model knows of, oldest first (deleted ones stay: acting on them is refused). */
export const accounts = (world: World): string[] => [...world.personOf.keys()];

export const credsOf = (world: World, kinds: CredentialKind[], alive = true): Credential[] =>
  world.creds.filter((c) => kinds.includes(c.kind) && (!alive || c.diedAt === null));

export interface Acting {
  actor: Extract<Actor, { kind: 'user' }>;
  user: UserRecord;
  person: Person;
  cred: Credential;
  scopes: string[];
}

/**
 * The n-th live access or API token, as the handlers see its bearer: the authorizer's verdict,
 * then the account as stored now. Null when it does not authenticate or lacks `scope`.
 */
export const actingAs = async (world: World, n: number, scope: string): Promise<Acting | null> => {
  const cred = nth(credsOf(world, ['access', 'api']), n);
  if (!cred) return null;
  const verdict: Verdict = await world.authorize(cred.secret);
  if (!verdict.works) return null;
  const scopes = verdict.scope.split(' ');
  if (!scopes.includes(scope)) return null;
  const user = await world.deps.store.getUser(verdict.accountId);
  if (!user) return null;
  const tokenId = cred.kind === 'api' ? apiTokenDigest(cred.secret).tokenId : null;
  // As the handlers do: what the step makes inherits its credential's origin (lineage).
  const origin = await requestOrigin(world.deps, {
    sid: cred.kind === 'access' ? sidOf(cred.secret) : '',
    tokenId,
  });
  return { actor: { kind: 'user', user, tokenId, origin }, user, person: cred.maker, cred, scopes };
};

const sidOf = (accessToken: string): string => {
  const payload = accessToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid: string }).sid;
};

export const addCredential = (
  world: World,
  fields: Omit<Credential, 'id' | 'holders' | 'diedAt'> & { holders?: Set<Person> },
): Credential => {
  const cred: Credential = {
    ...fields,
    id: world.creds.length,
    holders: fields.holders ?? new Set([fields.maker]),
    diedAt: null,
  };
  world.creds.push(cred);
  return cred;
};

/**
 * Remembers what a sign-in gave: its access token, refresh token and cookie. A session opened
 * with a password has that password's maker: it carries no more than the password does.
 */
export const addSession = (
  world: World,
  maker: Person,
  tokens: TokenResponse & { browserSession?: string },
  clientId: string | null = null,
  holders: Set<Person> = new Set([maker]),
): void => {
  const sid = sidOf(tokens.access_token);
  const common = { accountId: tokens.user.id, sid, clientId, maker, holders };
  addCredential(world, { ...common, kind: 'access', secret: tokens.access_token });
  addCredential(world, { ...common, kind: 'refresh', secret: tokens.refresh_token });
  if (tokens.browserSession) {
    addCredential(world, { ...common, kind: 'browser', secret: tokens.browserSession });
  }
};

export const SESSION_KINDS: CredentialKind[] = ['access', 'refresh', 'browser'];

/**
 * The model's side of a revoking action: these credentials must stop working within the
 * revocation bound. The clock then moves past the bound, so the next check judges them.
 */
export const kill = (world: World, why: string, which: (c: Credential) => boolean): void => {
  const now = world.deps.clock.now();
  let any = false;
  for (const cred of world.creds) {
    if (cred.diedAt === null && which(cred)) {
      cred.diedAt = now;
      cred.why = why;
      any = true;
    }
  }
  if (any) world.deps.clock.advance(world.deps.config.revocationCacheSeconds + 1);
};

export const sessionsOf =
  (accountId: string, keepSid?: string) =>
  (c: Credential): boolean =>
    SESSION_KINDS.includes(c.kind) && c.accountId === accountId && c.sid !== keepSid;

/** A new password nobody else would pick, and that the policy takes. */
export const newPassword = (world: World): string => {
  world.counter += 1;
  return `violet-harbor-${world.counter}-quill-lantern`;
};
