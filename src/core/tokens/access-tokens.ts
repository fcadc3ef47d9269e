import { sign } from 'node:crypto';
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
  client_id?: string;
}

export const ACCESS_TOKEN_TYPE = 'at+jwt';

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export const signAccessToken = (signer: Signer, claims: AccessTokenClaims): string => {
  const input = `${encode({ alg: 'ES256', typ: ACCESS_TOKEN_TYPE, kid: signer.kid })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: signer.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
};
