import { signJwt } from './jwt-signing';
import type { Signer } from './signing-keys';

/** RFC 9068 access token claims, as the contract lists them. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  scope: string;
  role: string;
  username: string | null;
  email: string;
  user_type: string;
  groups: string[];
  sid: string;
  /** RFC 8176 methods of the sign-in that opened the session (none for a service account). */
  amr?: string[];
  /** When that sign-in happened (Unix seconds); it stays the same through refreshes. */
  auth_time?: number;
  client_id?: string;
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';

export const signAccessToken = (signer: Signer, claims: AccessTokenClaims): string =>
  signJwt(signer, ACCESS_TOKEN_TYPE, claims);
