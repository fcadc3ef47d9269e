import { describe, expect, it } from 'vitest';
import {
  apiTokenDigest,
  isWellFormedApiToken,
  newApiTokenSecret,
} from '../../../../src/core/tokens/api-token-secret';

describe('API token secrets', () => {
  it('are sat_, 43 random characters and a 6-character checksum', () => {
    const secrets = Array.from({ length: 50 }, newApiTokenSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^sat_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
      expect(isWellFormedApiToken(secret)).toBe(true);
    }
    expect(new Set(secrets).size).toBe(50);
  });

  it('catch a changed character or checksum before any lookup', () => {
    const secret = newApiTokenSecret();
    const swap = (i: number) =>
      `${secret.slice(0, i)}${secret[i] === 'x' ? 'y' : 'x'}${secret.slice(i + 1)}`;
    expect(isWellFormedApiToken(swap(10))).toBe(false);
    expect(isWellFormedApiToken(swap(secret.length - 1))).toBe(false);
    expect(isWellFormedApiToken(secret.slice(0, -1))).toBe(false);
    expect(isWellFormedApiToken(`x${secret}`)).toBe(false);
  });

  it('have a public id derived from their hash, never the secret', () => {
    const secret = newApiTokenSecret();
    const { hash, tokenId } = apiTokenDigest(secret);
    expect(tokenId).toBe(`tok_${hash.slice(0, 22)}`);
    expect(tokenId).not.toContain(secret.slice(4, 20));
    expect(apiTokenDigest(secret)).toEqual({ hash, tokenId });
  });
});
