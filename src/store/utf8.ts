/** `value` cut to at most `max` bytes of UTF-8, never inside a character. */
export const cutToBytes = (value: string, max: number): string => {
  if (Buffer.byteLength(value) <= max) return value;
  let cut = '';
  let used = 0;
  for (const character of value) {
    used += Buffer.byteLength(character);
    if (used > max) break;
    cut += character;
  }
  return cut;
};
