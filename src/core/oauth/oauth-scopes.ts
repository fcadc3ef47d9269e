import { GatehouseError } from '../shared/errors';
import type { Role, ScopeCatalog } from '../users/roles';

/**
 * OAuth scope rules (contract: "Scopes on /oauth/*"). Invariants, each a test in
 * test/unit/core/oauth-scopes.test.ts and test/unit/properties/oauth-scope.property.test.ts:
 * - a grant is always within what the user holds now: the role's grants plus the OpenID
 *   scopes everyone holds;
 * - a refresh only narrows: what it asks is within the session's granted scope;
 * - every access token of a session carries at most the session's scope and at most the
 *   user's current grants, so a demotion still shrinks it.
 */

/** Held by everyone; `offline_access` changes nothing (every code grant gets a refresh token). */
export const OPENID_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** What a third-party client gets when it asks for nothing. */
export const THIRD_PARTY_DEFAULT = ['profile'] as const;

/** Thrown by the rules below; `/oauth/*` answers it as RFC 6749's `invalid_scope`. */
export class InvalidScopeError extends GatehouseError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** RFC 6749 §3.3 scope-token: printable ASCII but space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
const MAX_SCOPES = 64;

/** The `scope` parameter as a list (deduplicated, in order); null when absent or blank. */
export const parseScope = (text: string | undefined | null): string[] | null => {
  if (text === undefined || text === null) return null;
  const asked = [...new Set(text.split(' ').filter(Boolean))];
  if (asked.length === 0) return null;
  if (asked.length > MAX_SCOPES || !asked.every((s) => SCOPE_TOKEN.test(s))) {
    throw new InvalidScopeError('scope: malformed.');
  }
  return asked;
};

/** What a user of `role` may be granted now: the role's grants and the OpenID scopes. */
export const heldScopes = (catalog: ScopeCatalog, role: Role): string[] => [
  ...new Set([...catalog[role], ...OPENID_SCOPES]),
];

/**
 * The scope an authorization (code, password or client_credentials grant) gives: what was
 * asked if all of it is held, `invalid_scope` otherwise; nothing asked is the role's grants
 * for a first-party client and `profile` only for a third-party one.
 */
export const grantScopes = (
  catalog: ScopeCatalog,
  role: Role,
  requested: readonly string[] | null,
  firstParty: boolean,
): string[] => {
  if (requested === null) return firstParty ? [...catalog[role]] : [...THIRD_PARTY_DEFAULT];
  const held = heldScopes(catalog, role);
  const beyond = requested.filter((s) => !held.includes(s));
  if (beyond.length > 0) {
    throw new InvalidScopeError(`scope: not granted to this user: ${beyond.join(' ')}.`);
  }
  return [...requested];
};

/**
 * The scope an access token of a session carries: the session's granted scope (a session
 * from before scopes were kept, or a client-less sign-in, has the role's grants), narrowed by
 * `requested` at a refresh, and always cut to what the user holds now.
 */
export const sessionTokenScopes = (
  catalog: ScopeCatalog,
  role: Role,
  sessionScope: readonly string[] | undefined,
  requested: readonly string[] | null = null,
): string[] => {
  const granted = sessionScope ?? catalog[role];
  if (requested !== null) {
    const beyond = requested.filter((s) => !granted.includes(s));
    if (beyond.length > 0) {
      throw new InvalidScopeError(`scope: wider than the session's grant: ${beyond.join(' ')}.`);
    }
  }
  const held = heldScopes(catalog, role);
  return (requested ?? granted).filter((s) => held.includes(s));
};

/** Whether a remembered consent covers a request: every scope asked is among those allowed. */
export const consentCovers = (allowed: readonly string[], scopes: readonly string[]): boolean =>
  scopes.every((s) => allowed.includes(s));

/**
 * What each scope lets its holder do, in words: one catalogue for the consent page and the
 * tokens page. Every scope of the default role table has words (a test checks); a scope a
 * SCOPE_CATALOG adds without words is shown by name.
 */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'Know who you are (your account id)',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay signed in when you are away',
  'tokens:read': 'See your API tokens',
  'tokens:write': 'Create, renew and revoke API tokens in your name',
  'users:read': 'See every user account',
  'users:write': 'Create, change and delete user accounts, within your role',
  'audit:read': 'Read the audit log',
  'tokens:introspect': 'Check whether any token is valid, and whose it is',
  'clients:read': 'See the registered applications',
  'clients:write': 'Register and delete applications',
  // The example protected API's scopes (integrate.ai's list; API.md "Roles and scopes").
  read_user_session: 'See your own sessions in the protected API',
  read_all_session: 'See everyone’s sessions in the protected API',
  model_download: 'Download models from the protected API',
  cli: 'Use the protected API’s command-line tool',
  create_session: 'Create sessions in the protected API',
  start_session: 'Start sessions in the protected API',
  custom_model: 'Use custom models in the protected API',
  cancel_user_session: 'Cancel your sessions in the protected API',
  delete_user_session: 'Delete your sessions in the protected API',
  revoke_user_token: 'Revoke user tokens in the protected API',
};

export const describeScope = (scope: string): string =>
  SCOPE_WORDS[scope] ?? `Use the API with the "${scope}" permission`;
