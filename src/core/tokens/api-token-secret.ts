import { crc32 } from 'node:zlib';
import { isCanonicalBase64url } from '../shared/base64url';
import { randomSecret, sha256 } from '../shared/ids';

/**
 * API token secrets: `sat_` + 43 base64url characters (32 random bytes) + a 6-character
 * base62 CRC32 of the rest, so secret scanners (and the authorizer, before any lookup) can
 * tell a real one from a typo. The public `token_id` is derived from the secret's SHA-256,
 * which is all that is stored.
 */
const PREFIX = 'sat_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = /^sat_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/;

const checksum = (body: string): string => {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
};

export const newApiTokenSecret = (): string => {
  const body = `${PREFIX}${randomSecret()}`;
  return `${body}${checksum(body)}`;
};

/** Shape and checksum: costs no lookup, and refuses typos and forgeries at once. */
export const isWellFormedApiToken = (secret: string): boolean =>
  SHAPE.test(secret) &&
  isCanonicalBase64url(secret.slice(PREFIX.length, -6)) &&
  checksum(secret.slice(0, -6)) === secret.slice(-6);

export const looksLikeApiToken = (secret: string): boolean => secret.startsWith(PREFIX);

/** The token's hash, stored, and its public id, derived from it. */
export const apiTokenDigest = (secret: string) => {
  const hash = sha256(secret);
  return { hash, tokenId: `tok_${hash.slice(0, 22)}` };
};
