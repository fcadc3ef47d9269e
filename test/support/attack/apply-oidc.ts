import { noRequest } from '../../../src/core/audit/audit';
import type { FederatedLogin } from '../../../src/core/identity/account-linking';
import { type SsoProfile, signInFederated } from '../../../src/core/identity/sso-sign-in';
import { createUser } from '../../../src/core/users/user-management';
import { displayForm, emailKey } from '../../../src/core/users/users';
import { actingAs, addCredential, newPassword } from './acting';
import { afterFederatedLogin } from './apply-federated';
import {
  defaultOidcSettings,
  OIDC_GROUPS,
  OIDC_OWN_EMAIL,
  OIDC_PEOPLE,
  OIDC_PROVIDER,
  OIDC_SUBJECT,
  oidcEntitlement,
} from './oidc-provider';
import type { Op } from './ops';
import { EMAILS, grant, lower, mailboxOf, spell, type World } from './world';

/**
 * Steps of the OIDC provider: a verified login as the federation callback hands it to the
 * core (the ID token's checks are the federation routes' tests), and accounts made ahead for
 * a provider `sub`.
 */

export const oidcStep = async (world: World, op: Extract<Op, { op: 'oidc' }>) => {
  const who = OIDC_PEOPLE[op.who % OIDC_PEOPLE.length] ?? 'eve';
  const settings = world.settings.oidc ?? defaultOidcSettings;
  const asserted = op.ownEmail ? OIDC_OWN_EMAIL[who] : (EMAILS[op.email] ?? EMAILS[0]);
  // A provider marks verified only an address it checked its person holds.
  const verified = op.verified && mailboxOf(asserted) === who;
  const email = displayForm(spell(asserted, op.spelling));
  const groups = op.groups.map((g) => OIDC_GROUPS[g] ?? 'o-staff');
  const identity = { provider: OIDC_PROVIDER, subject: OIDC_SUBJECT[who] };
  const { store } = world.deps;
  const known =
    (await store.findUserByIdentity(identity.provider, identity.subject)) ??
    (await store.findUserByEmail(emailKey(email)));
  // The operator's entry for this provider is the entitlement, whatever the login's outcome.
  grant(world, who, oidcEntitlement(settings, groups));
  const login: FederatedLogin = { identity, email, emailTrusted: settings.trustEmail && verified };
  const profile: SsoProfile = { email, name: who, groups, attributes: {} };
  let refusal: unknown = null;
  const outcome = await signInFederated(world.deps, login, profile, noRequest, null, 'oidc').catch(
    (error: unknown) => {
      refusal = error;
      return null;
    },
  );
  if (outcome && 'pending' in outcome) throw new Error('a pending link needs a hand-off');
  await afterFederatedLogin(world, who, known, outcome, () =>
    store.findUserByIdentity(identity.provider, identity.subject),
  );
  const account =
    outcome?.user ??
    (known ? null : await store.findUserByIdentity(identity.provider, identity.subject));
  // An address this login put on the account: its mailbox's holder may reset the password,
  // so the login gave them the account's role, as far as its own person's entitlement reaches.
  if (account && account.emailKey === emailKey(email)) {
    grant(world, mailboxOf(account.email), lower(account.role, world.entitled.get(who)));
  }
  if (!outcome) throw refusal;
  const said = verified ? 'verified' : 'unverified';
  return `${who} signed in through OIDC as ${email} (${said}) with [${groups.join(' ')}]: ${outcome.user.role}`;
};

/**
 * `POST /users` with `identities`: an account an owner made for an OIDC person before they
 * log in, on that person's own address (an owner who files it under someone else's mailbox
 * gives the account to both, which the model cannot tell apart from a bug).
 */
export const createLinkedStep = async (world: World, op: Extract<Op, { op: 'createLinked' }>) => {
  const acting = await actingAs(world, op.actor, 'users:write');
  if (!acting) return 'no acting credential';
  const who = OIDC_PEOPLE[op.who % OIDC_PEOPLE.length] ?? 'eve';
  const email = spell(OIDC_OWN_EMAIL[who], op.spelling);
  const password = op.password ? newPassword(world) : undefined;
  const user = await createUser(
    world.deps,
    acting.actor,
    {
      email,
      role: op.role,
      identities: [{ provider: OIDC_PROVIDER, subject: OIDC_SUBJECT[who] }],
      ...(password ? { password } : {}),
    },
    noRequest,
  );
  world.personOf.set(user.id, who);
  grant(world, who, lower(op.role, world.entitled.get(acting.person)));
  if (password) {
    addCredential(world, {
      kind: 'password',
      secret: password,
      login: email,
      accountId: user.id,
      maker: acting.person,
    });
  }
  return `${acting.person} created ${email} as ${op.role} for ${who}'s ${OIDC_PROVIDER} sub`;
};
