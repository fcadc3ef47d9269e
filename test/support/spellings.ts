const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Every spelling a lenient base64url decoder reads as the same bytes as `text`, by varying
 * the unused bits of the last character: 1 (no spare bits), 4 (2 bits: 32 bytes) or 16
 * (4 bits: 64 bytes). The canonical one comes first.
 */
export const spellings = (text: string): string[] => {
  if (text === '') return [text];
  const bytes = Buffer.from(text, 'base64url');
  const head = text.slice(0, -1);
  const others = [...ALPHABET]
    .map((c) => `${head}${c}`)
    .filter((t) => t !== text && Buffer.from(t, 'base64url').equals(bytes));
  return [text, ...others];
};

/** A JWT's spellings: every combination of its three segments' spellings. */
export const jwtSpellings = (token: string): string[] => {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return spellings(header).flatMap((h) =>
    spellings(payload).flatMap((p) => spellings(signature).map((s) => `${h}.${p}.${s}`)),
  );
};
