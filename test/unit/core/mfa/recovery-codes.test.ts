import { describe, expect, it } from 'vitest';
import {
  findRecoveryDigest,
  newRecoveryCode,
  newRecoveryCodeSet,
} from '../../../../src/core/mfa/recovery-codes';

describe('recovery codes', () => {
  it('makes 10 distinct codes of the contract shape, stored as digests only', async () => {
    const { codes, set } = await newRecoveryCodeSet();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(set.hashes).toHaveLength(10);
    for (const code of codes) expect(JSON.stringify(set)).not.toContain(code);
  });

  it('draws every character of the alphabet (a rough check that none is left out)', () => {
    const seen = new Set(Array.from({ length: 400 }, newRecoveryCode).join('').replaceAll('-', ''));
    expect(seen.size).toBe(36);
  });

  it('finds a typed code in its set (case and spaces ignored), not in a new set', async () => {
    const { codes, set } = await newRecoveryCodeSet();
    const code = codes[3] as string;
    expect(await findRecoveryDigest(set, code)).toBe(set.hashes[3]);
    expect(await findRecoveryDigest(set, ` ${code.toUpperCase()} `)).toBe(set.hashes[3]);
    expect(await findRecoveryDigest(set, 'aaaaa-aaaaa')).toBeNull();
    expect(await findRecoveryDigest(set, '123456')).toBeNull();
    const next = await newRecoveryCodeSet();
    expect(await findRecoveryDigest(next.set, code)).toBeNull();
  });
});
