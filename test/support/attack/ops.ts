import fc from 'fast-check';
import { ROLES, type Role } from '../../../src/core/users/roles';
import { OIDC_GROUPS, OIDC_MAPPINGS, OIDC_PEOPLE, type OidcSettings } from './oidc-provider';
import { EMAILS, GROUPS, IDP_PEOPLE, PEOPLE, type Settings } from './world';

/**
 * One step of someone in the world. Numbers pick among what exists when the step runs
 * (credentials, accounts, mails, clients), modulo their count, so every sequence is
 * meaningful and fast-check shrinks it freely. `actor` picks a live access or API token: the
 * step is done as its account, as the HTTP handlers do, with that token's scopes.
 */
export type Op =
  | { op: 'signUp'; who: number; email: number; spelling: number }
  | { op: 'readMail'; mail: number }
  | { op: 'forgot'; email: number }
  | {
      op: 'create';
      actor: number;
      email: number;
      spelling: number;
      role: Role;
      password: boolean;
      pending: boolean;
    }
  | { op: 'setRole'; actor: number; target: number; role: Role }
  | { op: 'setStatus'; actor: number; target: number; enabled: boolean }
  | { op: 'changeEmail'; actor: number; target: number; email: number; spelling: number }
  | { op: 'adminReset'; actor: number; target: number; generated: boolean }
  | { op: 'decide'; actor: number; target: number; approve: boolean }
  | { op: 'delete'; actor: number; target: number }
  | { op: 'import'; emails: number[] }
  | { op: 'sso'; who: number; groups: number[]; spelling: number }
  /**
   * An OIDC login: the provider's person, the address it asserts (their own, or any, which
   * it marks verified only when it is theirs), and their groups.
   */
  | {
      op: 'oidc';
      who: number;
      ownEmail: boolean;
      email: number;
      verified: boolean;
      groups: number[];
      spelling: number;
    }
  /** An account made ahead for an OIDC person's `sub` (POST /users with identities). */
  | {
      op: 'createLinked';
      actor: number;
      who: number;
      spelling: number;
      role: Role;
      password: boolean;
    }
  | { op: 'signIn'; password: number; holder: number; browser: boolean; client: number | null }
  | { op: 'refresh'; token: number }
  | { op: 'signOut'; token: number }
  | { op: 'signOutAll'; actor: number }
  | { op: 'handOver'; password: number }
  | { op: 'changeOwnPassword'; actor: number; password: number }
  | { op: 'changeOwnEmail'; actor: number; email: number; spelling: number }
  | { op: 'apiToken'; actor: number; scoped: boolean }
  | { op: 'revokeApiToken'; actor: number; token: number }
  | { op: 'createClient'; actor: number }
  | { op: 'deleteClient'; actor: number; client: number }
  | { op: 'clientToken'; client: number };

const pick = fc.nat({ max: 30 });
const email = fc.nat({ max: EMAILS.length - 1 });
const spelling = fc.nat({ max: 3 });
const role = fc.constantFrom<Role>(...ROLES);

const oidcSettingsArbitrary: fc.Arbitrary<OidcSettings> = fc.record({
  trustEmail: fc.boolean(),
  newUsersPending: fc.boolean(),
  defaultRole: fc.constantFrom('viewer' as const, 'editor' as const, 'admin' as const),
  mappings: fc.subarray(OIDC_MAPPINGS).map((pairs) => Object.fromEntries(pairs)),
});

export const settingsArbitrary: fc.Arbitrary<Settings> = fc.record({
  requireEmailVerification: fc.boolean(),
  ssoNewUsersPending: fc.boolean(),
  oidc: oidcSettingsArbitrary,
});

/** Weighted towards what moves identities and roles; every kind stays reachable. */
export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('signUp' as const),
      who: fc.nat({ max: PEOPLE.length - 1 }),
      email,
      spelling,
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('readMail' as const), mail: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('forgot' as const), email }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      actor: pick,
      email,
      spelling,
      role,
      password: fc.boolean(),
      pending: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('setRole' as const), actor: pick, target: pick, role }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('setStatus' as const),
      actor: pick,
      target: pick,
      enabled: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('changeEmail' as const),
      actor: pick,
      target: pick,
      email,
      spelling,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('adminReset' as const),
      actor: pick,
      target: pick,
      generated: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('decide' as const),
      actor: pick,
      target: pick,
      approve: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('delete' as const), actor: pick, target: pick }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('import' as const),
      emails: fc.array(email, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('sso' as const),
      who: fc.nat({ max: IDP_PEOPLE.length - 1 }),
      groups: fc.uniqueArray(fc.nat({ max: GROUPS.length - 1 }), { maxLength: 2 }),
      spelling,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('oidc' as const),
      who: fc.nat({ max: OIDC_PEOPLE.length - 1 }),
      ownEmail: fc.boolean(),
      email,
      verified: fc.boolean(),
      groups: fc.uniqueArray(fc.nat({ max: OIDC_GROUPS.length - 1 }), { maxLength: 2 }),
      spelling,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('createLinked' as const),
      actor: pick,
      who: fc.nat({ max: OIDC_PEOPLE.length - 1 }),
      email,
      spelling,
      role,
      password: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('signIn' as const),
      password: pick,
      holder: fc.nat({ max: 3 }),
      browser: fc.boolean(),
      client: fc.option(pick, { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('refresh' as const), token: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('signOut' as const), token: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('signOutAll' as const), actor: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('handOver' as const), password: pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('changeOwnPassword' as const),
      actor: pick,
      password: pick,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('changeOwnEmail' as const),
      actor: pick,
      email,
      spelling,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('apiToken' as const),
      actor: pick,
      scoped: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('revokeApiToken' as const), actor: pick, token: pick }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('createClient' as const), actor: pick }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('deleteClient' as const), actor: pick, client: pick }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clientToken' as const), client: pick }) },
);
