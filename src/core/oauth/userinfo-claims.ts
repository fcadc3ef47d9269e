import { linkingOf, type UserRecord } from '../users/users';

/** OIDC Core §5.4: the claims each standard scope releases (only those Gatehouse holds). */
export const SCOPE_CLAIMS = {
  email: ['email', 'email_verified'],
  profile: ['name', 'preferred_username', 'updated_at'],
} as const;

/** The user claims of an ID token and of /oauth/userinfo: `sub` plus those of the scopes. */
export interface UserClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
  /** Unix seconds (OIDC Core §5.1). */
  updated_at?: number;
}

/**
 * The one mapping of a user to OIDC claims, shared by ID tokens and userinfo so the two never
 * disagree. Pass the user as stored now and the scopes the token was granted: a claim of a
 * scope not granted never leaves, and a claim the user lacks is omitted, never null (§5.3.2).
 */
export const userClaims = (user: UserRecord, scopes: readonly string[]): UserClaims => {
  const claims: UserClaims = { sub: user.id };
  if (scopes.includes('email')) {
    claims.email = user.email;
    claims.email_verified = linkingOf(user).emailVerified;
  }
  if (scopes.includes('profile')) {
    if (user.name) claims.name = user.name;
    if (user.username) claims.preferred_username = user.username;
    claims.updated_at = Math.floor(user.updatedAt / 1000);
  }
  return claims;
};
