import { hash } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { createBcryptHasher } from '../../../../src/core/sessions/password-hasher';

const hasher = createBcryptHasher(4);

describe('password hasher', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('a long enough passphrase');
    expect(stored.startsWith('bcrypt-sha256$$2b$04$')).toBe(true);
    expect(await hasher.verify('a long enough passphrase', stored)).toBe(true);
    expect(await hasher.verify('a long enough passphrasE', stored)).toBe(false);
  });

  it('never truncates at 72 bytes: passwords differing after byte 72 differ', async () => {
    const prefix = 'x'.repeat(80);
    const stored = await hasher.hash(`${prefix}-one`);
    expect(await hasher.verify(`${prefix}-one`, stored)).toBe(true);
    expect(await hasher.verify(`${prefix}-two`, stored)).toBe(false);
    expect(await hasher.verify(prefix, stored)).toBe(false);
  });

  it('treats composed and decomposed Unicode as the same password', async () => {
    const stored = await hasher.hash('caf\u00e9 au lait, s\u2019il vous pla\u00eet');
    expect(await hasher.verify('cafe\u0301 au lait, s\u2019il vous pla\u00eet', stored)).toBe(true);
  });

  it('verifies imported plain bcrypt hashes, but never past their 72 bytes', async () => {
    const legacy = await hash('legacy password', 4);
    expect(await hasher.verify('legacy password', legacy)).toBe(true);
    const long = 'y'.repeat(72);
    const legacyLong = await hash(long, 4);
    expect(await hasher.verify(`${long}extra`, legacyLong)).toBe(false);
    expect(hasher.needsRehash(legacy)).toBe(true);
  });

  it('answers false for garbage hashes without throwing', async () => {
    expect(await hasher.verify('whatever', 'not a hash')).toBe(false);
    expect(await hasher.verify('whatever', 'bcrypt-sha256$garbage')).toBe(false);
  });

  it('asks for a rehash when the cost went up', async () => {
    const cheap = await hasher.hash('password for rehash');
    expect(hasher.needsRehash(cheap)).toBe(false);
    expect(createBcryptHasher(5).needsRehash(cheap)).toBe(true);
  });

  it('spends a real verification on the dummy path', async () => {
    expect(await hasher.verifyDummy('anything')).toBe(false);
  });
});
