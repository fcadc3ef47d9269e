import { GatehouseError } from '../shared/errors';
import type { FederatedLogin } from './account-linking';
import {
  attributesFromClaims,
  claimEmail,
  claimGroups,
  claimText,
  type SsoProfile,
} from './claim-profile';
import type { IdentityProvider } from './provider-config';

/** The claims of a validated ID token (with userinfo's when the token lacked the email). */
export type OidcClaims = Record<string, unknown> & { sub: string };

// OIDC Core's protocol claims (ID token, session, verification): never attributes.
const PROTOCOL_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'email_verified',
  'phone_number_verified',
  'updated_at',
];

const refused = (message: string) => new GatehouseError('token_invalid', message);

/**
 * An OIDC provider's login (API.md, Federation and Account linking): the identity is (the
 * provider's id, the ID token's `sub`); the email is vouched for only when the provider is
 * trusted for emails and says `email_verified: true` (boolean true, nothing else). Name,
 * groups and attributes come through the provider's `claims` names.
 */
export const federatedLoginFromClaims = (
  provider: IdentityProvider,
  claims: OidcClaims,
): { login: FederatedLogin; profile: SsoProfile } => {
  const subject = claims.sub;
  // As POST /users bounds them: an identity is a key in the store.
  if (typeof subject !== 'string' || subject === '' || subject.length > 512) {
    throw refused('The provider’s ID token has no usable sub.');
  }
  const { email: emailClaim, name: nameClaim, groups: groupsClaim } = provider.claims;
  const email = claimEmail(claims[emailClaim]);
  if (!email) throw refused(`The provider gave no usable ${emailClaim} claim.`);
  const skip = new Set([...PROTOCOL_CLAIMS, emailClaim, nameClaim, groupsClaim ?? 'groups']);
  const profile: SsoProfile = {
    email,
    name: claimText(claims[nameClaim])?.slice(0, 200) ?? null,
    groups: groupsClaim ? claimGroups(claims[groupsClaim]) : [],
    attributes: attributesFromClaims(claims, skip),
  };
  const login: FederatedLogin = {
    identity: { provider: provider.id, subject },
    email,
    // email_verified vouches only for the standard `email` claim (provider-config.ts).
    emailTrusted:
      provider.trustEmail && provider.claims.email === 'email' && claims.email_verified === true,
  };
  return { login, profile };
};
