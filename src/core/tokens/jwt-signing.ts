import { sign } from 'node:crypto';
import type { Signer } from './signing-keys';

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS of `claims` under `typ`, by the signer's key (ES256 or RS256, both SHA-256). */
export const signJwt = (signer: Signer, typ: string, claims: object): string => {
  const input = `${encode({ alg: signer.alg, typ, kid: signer.kid })}.${encode(claims)}`;
  const signature = sign(
    'sha256',
    Buffer.from(input),
    signer.alg === 'ES256'
      ? { key: signer.privateKey, dsaEncoding: 'ieee-p1363' }
      : { key: signer.privateKey },
  );
  return `${input}.${signature.toString('base64url')}`;
};
