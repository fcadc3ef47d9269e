import { createHmac } from 'node:crypto';
import { randomSecret } from '../shared/ids';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or an unusable stored hash; never throws on bad input. */
  verify(password: string, stored: string): Promise<boolean>;
  /** Costs what `verify` costs, so an unknown login takes as long as a wrong password. */
  verifyDummy(password: string): Promise<false>;
  needsRehash(stored: string): boolean;
  /** Makes the dummy hash now, so the first unknown login is not slower than the rest. */
  warmUp(): Promise<void>;
}

/**
 * bcrypt reads at most 72 bytes. Rather than refuse long passphrases, every password is first
 * reduced to a 44-character HMAC-SHA256 digest (base64), so all of it counts and no NUL byte
 * reaches bcrypt. The prefix marks the scheme; plain `$2…$` hashes (imported) still verify.
 */
const SCHEME = 'bcrypt-sha256$';
const PREHASH_KEY = 'gatehouse-password-v1';
const BCRYPT_MAX_BYTES = 72;
/** `$2b$10$…`: the cost is the two digits after the version. */
const BCRYPT_COST = /^\$2[abxy]?\$(\d{2})\$/;

const prehash = (password: string): string =>
  createHmac('sha256', PREHASH_KEY).update(password.normalize('NFC'), 'utf8').digest('base64');

export const MIN_BCRYPT_COST = 10;

// The native addon loads on first use, so functions that never hash never load it.
let bcrypt: Promise<typeof import('@node-rs/bcrypt')> | undefined;
const loadBcrypt = () => {
  bcrypt ??= import('@node-rs/bcrypt');
  return bcrypt;
};

export const createBcryptHasher = (cost: number): PasswordHasher => {
  let dummy: Promise<string> | undefined;
  const hash = async (password: string, options: { cost: number }) =>
    (await loadBcrypt()).hash(password, options.cost);
  const verify = async (password: string, stored: string) =>
    (await loadBcrypt()).verify(password, stored);
  const hashPassword = async (password: string) =>
    SCHEME + (await hash(prehash(password), { cost }));

  const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
    if (stored.startsWith(SCHEME)) return verify(prehash(password), stored.slice(SCHEME.length));
    // A legacy bcrypt hash only ever saw 72 bytes: refuse longer passwords instead of truncating.
    if (stored.startsWith('$2') && Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES) {
      return verify(password, stored);
    }
    return false;
  };

  return {
    hash: hashPassword,
    verify: (password, stored) => verifyPassword(password, stored).catch(() => false),
    async verifyDummy(password) {
      dummy ??= hashPassword(randomSecret());
      await verifyPassword(password, await dummy).catch(() => false);
      return false;
    },
    async warmUp() {
      dummy ??= hashPassword(randomSecret());
      await dummy;
    },
    needsRehash(stored) {
      const storedCost = BCRYPT_COST.exec(stored.slice(SCHEME.length))?.[1];
      return !stored.startsWith(SCHEME) || storedCost === undefined || Number(storedCost) < cost;
    },
  };
};
