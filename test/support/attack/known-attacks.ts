import type { Invariant } from './invariants';
import type { Op } from './ops';
import type { Settings } from './world';

/**
 * Sequences the random runs shrank to (issue 11's findings, and two found here), kept as
 * named examples so each is tried on every run and on both stores. Indices follow the set-up
 * world: accounts and access tokens 0 root (owner), 1 ada (admin), 2 pat (viewer); people
 * 0 root .. 5 eve; identity-provider people 0 ceo, 1 cfo, 2 pat; group 0 is `g-owner`.
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
];
