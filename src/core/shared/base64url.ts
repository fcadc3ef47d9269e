/**
 * Canonical base64url, the one spelling of some bytes: only `A-Z a-z 0-9 - _`, no padding, a
 * length that is not 1 mod 4, and zero unused bits in the last character. Decoders ignore
 * those unused bits (2 of them after 32 bytes, 4 after 64), so without this check one token
 * has 4 or 16 spellings, and anything remembered by its text (a replay marker) could be
 * passed again by spelling it differently. Every token we remember is refused unless
 * canonical (finding 3).
 */
export const isCanonicalBase64url = (text: string): boolean =>
  /^[A-Za-z0-9_-]*$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;

/** The bytes of canonical base64url, or null for any other spelling. */
export const decodeCanonicalBase64url = (text: string): Buffer | null =>
  isCanonicalBase64url(text) ? Buffer.from(text, 'base64url') : null;

/**
 * The shape of our opaque secrets: one of `prefixes` then `length` canonical base64url
 * characters (43 = 32 random bytes). Has `test` like the RegExps it replaces.
 */
export const secretShape = (prefixes: readonly string[], length = 43) => ({
  test: (value: string): boolean => {
    const prefix = prefixes.find((p) => value.startsWith(p));
    if (prefix === undefined || value.length !== prefix.length + length) return false;
    return isCanonicalBase64url(value.slice(prefix.length));
  },
});
