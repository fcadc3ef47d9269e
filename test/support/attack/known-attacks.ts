import type { Invariant } from './invariants';
import type { Op } from './ops';
import type { Settings } from './world';

/**
 * Sequences the random runs shrank to (issue 11's findings, and two found here), kept as
 * named examples so each is tried on every run and on both stores. Indices follow the set-up
 * world: accounts and access tokens 0 root (owner), 1 ada (admin), 2 pat (viewer); people
 * 0 root .. 5 eve; identity-provider people 0 ceo, 1 cfo, 2 pat; group 0 is `g-owner`; OIDC
 * people 0 ceo, 1 pat, 2 eve; OIDC group 0 is `o-owner`; emails 0 owner .. 3 ceo .. 5 eve.
 */
export interface KnownAttack {
  name: string;
  invariant: Invariant;
  settings: Settings;
  ops: Op[];
}

const plain: Settings = { requireEmailVerification: false, ssoNewUsersPending: false };
const verifying: Settings = { requireEmailVerification: true, ssoNewUsersPending: false };
const ceoAsOwner: Op = { op: 'sso', who: 0, groups: [0], spelling: 0 };
const oidcOwnerMapping = {
  defaultRole: 'viewer' as const,
  mappings: { 'o-owner': 'owner' as const },
};
/** The OIDC provider vouches for verified emails and maps `o-owner` to owner. */
const trustingIdp: Settings = {
  ...plain,
  oidc: { trustEmail: true, newUsersPending: false, ...oidcOwnerMapping },
};
/** The OIDC provider's new users wait for approval; `o-owner` maps to owner. */
const pendingIdp: Settings = {
  ...plain,
  oidc: { trustEmail: false, newUsersPending: true, ...oidcOwnerMapping },
};
const oidcLogin = (who: number, fields: Partial<Extract<Op, { op: 'oidc' }>> = {}): Op => ({
  op: 'oidc',
  who,
  ownEmail: true,
  email: 0,
  verified: true,
  groups: [],
  spelling: 0,
  ...fields,
});
const eveSquatsCeo = oidcLogin(2, { ownEmail: false, email: 3, verified: false, spelling: 1 });

export const KNOWN_ATTACKS: KnownAttack[] = [
  {
    name: 'finding 1: a sign-up pre-claims the CEO address; SSO links it and raises it to owner',
    invariant: 'roles',
    settings: plain,
    ops: [{ op: 'signUp', who: 5, email: 3, spelling: 1 }, ceoAsOwner],
  },
  {
    name: 'finding 1, verification on: the CEO clicks the mail, then the sign-up password is owner',
    invariant: 'roles',
    settings: verifying,
    ops: [{ op: 'signUp', who: 5, email: 3, spelling: 0 }, { op: 'readMail', mail: 0 }, ceoAsOwner],
  },
  {
    name: "finding 2: an admin resets a viewer's password, moves it to the CEO's email, SSO raises it",
    invariant: 'roles',
    settings: plain,
    ops: [
      { op: 'adminReset', actor: 1, target: 2, generated: false },
      { op: 'changeEmail', actor: 1, target: 2, email: 3, spelling: 0 },
      ceoAsOwner,
    ],
  },
  {
    name: "finding 2, shortest: an admin moves a viewer to the CFO's email; the viewer's password is owner",
    invariant: 'roles',
    settings: plain,
    ops: [
      { op: 'changeEmail', actor: 1, target: 2, email: 4, spelling: 0 },
      { op: 'sso', who: 1, groups: [0], spelling: 0 },
    ],
  },
  {
    name: "finding 2 (sync): an admin resets an SSO viewer's password; group sync later raises it",
    invariant: 'roles',
    settings: plain,
    ops: [
      { op: 'sso', who: 1, groups: [], spelling: 0 },
      { op: 'adminReset', actor: 1, target: 3, generated: true },
      { op: 'sso', who: 1, groups: [0], spelling: 0 },
    ],
  },
  {
    name: 'new: an owner promotes a user whose password an admin set; the admin signs in as owner',
    invariant: 'roles',
    settings: plain,
    ops: [
      { op: 'adminReset', actor: 1, target: 2, generated: false },
      { op: 'setRole', actor: 0, target: 2, role: 'owner' },
    ],
  },
  {
    name: "new: a user moves their account to the CEO's address, the CEO confirms the mail, SSO raises it",
    invariant: 'roles',
    settings: plain,
    ops: [
      { op: 'signUp', who: 5, email: 5, spelling: 0 },
      { op: 'signIn', password: 3, holder: 0, browser: false, client: null },
      { op: 'changeOwnEmail', actor: 3, email: 3, spelling: 0 },
      { op: 'readMail', mail: 0 },
      ceoAsOwner,
    ],
  },
  {
    name: "red team A finding 2: an admin sets a viewer's password, mints an API token as the viewer; an owner raises the viewer",
    invariant: 'roles',
    settings: plain,
    ops: [
      { op: 'adminReset', actor: 1, target: 2, generated: false },
      // The admin's password for pat, held by ada; the session is credential 2 of the live ones.
      { op: 'signIn', password: 2, holder: 0, browser: false, client: null },
      { op: 'apiToken', actor: 2, scoped: false },
      { op: 'setRole', actor: 0, target: 2, role: 'owner' },
    ],
  },
  {
    name: 'group sync raising a role ends the API tokens made before it (contract v2)',
    invariant: 'revocation',
    settings: plain,
    ops: [
      { op: 'apiToken', actor: 2, scoped: false },
      { op: 'sso', who: 2, groups: [0], spelling: 0 },
    ],
  },
  {
    name: 'finding 4: deleting a client ends the sessions it was issued',
    invariant: 'revocation',
    settings: plain,
    ops: [
      { op: 'createClient', actor: 0 },
      { op: 'signIn', password: 0, holder: 0, browser: false, client: 0 },
      { op: 'deleteClient', actor: 0, client: 0 },
    ],
  },
  {
    name: "OIDC squat: eve's unverified login holds the CEO's address; the CEO's SSO takes it over as owner; eve's next login must not reach it",
    invariant: 'roles',
    settings: plain,
    ops: [eveSquatsCeo, ceoAsOwner, eveSquatsCeo],
  },
  {
    name: "OIDC: a trusting provider's login claiming the owner's address (not its person's, so unverified) links nothing",
    invariant: 'roles',
    settings: trustingIdp,
    ops: [oidcLogin(2, { ownEmail: false, email: 0, verified: true })],
  },
  {
    name: "OIDC takeover: eve signs up with the CEO's address and signs in; the CEO's trusted login maps to owner; eve's password and session die first",
    invariant: 'roles',
    settings: trustingIdp,
    ops: [
      { op: 'signUp', who: 5, email: 3, spelling: 1 },
      { op: 'signIn', password: 3, holder: 0, browser: true, client: null },
      oidcLogin(0, { groups: [0] }),
    ],
  },
  {
    name: "OIDC pre-linked sub: the owner makes the CEO's account ahead; with pending new users the CEO still gets in, the mapping raises it, older sessions end",
    invariant: 'revocation',
    settings: pendingIdp,
    ops: [
      {
        op: 'createLinked',
        actor: 0,
        who: 0,
        spelling: 2,
        role: 'editor',
        password: true,
      },
      { op: 'signIn', password: 3, holder: 0, browser: false, client: null },
      oidcLogin(0, { groups: [0] }),
    ],
  },
  {
    name: 'OIDC: a sub pre-linked twice (in another spelling), and logins asserting taken addresses, still make one account per identity and per email',
    invariant: 'one-account',
    settings: trustingIdp,
    ops: [
      {
        op: 'createLinked',
        actor: 0,
        who: 2,
        spelling: 0,
        role: 'viewer',
        password: false,
      },
      {
        op: 'createLinked',
        actor: 0,
        who: 2,
        spelling: 1,
        role: 'viewer',
        password: false,
      },
      oidcLogin(2, { ownEmail: false, email: 1, verified: true }),
      oidcLogin(0),
      oidcLogin(0, { ownEmail: false, email: 2, verified: false }),
    ],
  },
  {
    name: "OIDC group mapping raising pat's proven account to owner ends the API tokens made before it",
    invariant: 'revocation',
    settings: trustingIdp,
    ops: [{ op: 'apiToken', actor: 2, scoped: false }, oidcLogin(1, { groups: [0] })],
  },
  {
    name: "harness: /auth/sign-out ignores a client's refresh token (the client revokes it), so nothing it ended may be judged",
    invariant: 'revocation',
    settings: plain,
    ops: [
      { op: 'createClient', actor: 0 },
      { op: 'signIn', password: 0, holder: 0, browser: false, client: 0 },
      { op: 'signOut', token: 3 },
      { op: 'refresh', token: 3 },
    ],
  },
];
