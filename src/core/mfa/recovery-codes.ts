import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import type { RecoveryCodeSet } from './factors';

/** API.md: 10 codes `[a-z0-9]{5}-[a-z0-9]{5}`. */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SHAPE = /^[a-z0-9]{5}-[a-z0-9]{5}$/;

/** randomInt draws by rejection sampling: every character is uniform (no modulo bias). */
const randomChunk = (): string =>
  Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export const newRecoveryCode = (): string => `${randomChunk()}-${randomChunk()}`;

/** Codes are typed by people: case and surrounding spaces do not matter. */
export const normalizeRecoveryCode = (code: string): string => code.trim().toLowerCase();

export const looksLikeRecoveryCode = (code: string): boolean =>
  SHAPE.test(normalizeRecoveryCode(code));

/**
 * Why scrypt, not SHA-256 as for API token secrets (core/tokens): a `sat_` secret has 256
 * random bits, so its plain digest cannot be reversed; a recovery code has ~51.7 bits, which
 * a leaked table's SHA-256 digests give up to a GPU in hours. scrypt (N=2^13, r=8: ~35 ms and
 * 8 MiB each) under a random per-set salt makes each guess cost that much, per user, so the
 * 2^51 space is out of reach offline; online guesses are capped by the account lockout. An
 * HMAC under a deployment secret would also do, but no secret is shared by every function
 * that verifies codes, and rotating one would silently kill every user's codes.
 */
const SCRYPT = { N: 2 ** 13, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

const digest = (code: string, salt: string): Promise<string> =>
  new Promise((resolve, reject) => {
    scrypt(normalizeRecoveryCode(code), salt, 32, SCRYPT, (error, key) =>
      error ? reject(error) : resolve(key.toString('base64url')),
    );
  });

/** A fresh set: the codes to show once, and what is stored (digests only). */
export const newRecoveryCodeSet = async (): Promise<{
  codes: string[];
  set: RecoveryCodeSet;
}> => {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
  const salt = randomBytes(16).toString('base64url');
  const hashes = await Promise.all([...codes].map((code) => digest(code, salt)));
  return { codes: [...codes], set: { salt, hashes } };
};

/** Whether a typed code is in the set (constant-time per digest); the store spends it. */
export const findRecoveryDigest = async (
  set: RecoveryCodeSet,
  code: string,
): Promise<string | null> => {
  if (!looksLikeRecoveryCode(code)) return null;
  const typed = Buffer.from(await digest(code, set.salt));
  return set.hashes.find((hash) => timingSafeEqual(Buffer.from(hash), typed)) ?? null;
};
