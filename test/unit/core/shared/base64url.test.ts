import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isCanonicalBase64url, secretShape } from '../../../../src/core/shared/base64url';
import { spellings } from '../../../support/spellings';

describe('canonical base64url', () => {
  it.each([
    ['', true],
    ['AA', true],
    ['AQ', true],
    ['AR', false],
    ['AQ==', false],
    ['A', false],
    ['AQ+/', false],
    ['AQ A', false],
  ])('%j canonical: %s', (text, expected) => {
    expect(isCanonicalBase64url(text)).toBe(expected);
  });

  test.prop([fc.uint8Array({ minLength: 0, maxLength: 80 })])(
    'the encoding of any bytes is canonical, and it is their only canonical spelling',
    (bytes) => {
      const text = Buffer.from(bytes).toString('base64url');
      const all = spellings(text);
      expect(all.length).toBe([1, 1, 16, 4][text.length % 4]);
      expect(all.filter(isCanonicalBase64url)).toEqual([text]);
    },
  );

  it('secretShape takes only the canonical spelling of 32 bytes after a prefix', () => {
    const shape = secretShape(['srt_']);
    const secret = Buffer.alloc(32, 7).toString('base64url');
    const [canonical, ...others] = spellings(secret);
    expect(others).toHaveLength(3);
    expect(shape.test(`srt_${canonical}`)).toBe(true);
    for (const other of others) expect(shape.test(`srt_${other}`)).toBe(false);
    expect(shape.test(`sat_${canonical}`)).toBe(false);
    expect(shape.test(`srt_${canonical}A`)).toBe(false);
  });
});
