import { GatehouseError } from './errors';
import type { Position } from './store';

const tampered = () =>
  new GatehouseError('record_invalid', 'cursor: is not a cursor this listing gave.');

/**
 * Cursors are opaque to clients: the store's position plus the listing's filters, so a cursor
 * works only with the query that produced it. Anything else decodes to a 400.
 */
export const encodeCursor = (position: Position, filters: string): string =>
  Buffer.from(JSON.stringify({ p: position, f: filters })).toString('base64url');

export const decodeCursor = (cursor: string, filters: string): Position => {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw tampered();
  }
  if (typeof value !== 'object' || value === null) throw tampered();
  const { p, f } = value as { p?: unknown; f?: unknown };
  if (f !== filters || typeof p !== 'object' || p === null || Array.isArray(p)) throw tampered();
  const entries = Object.entries(p);
  const wellFormed =
    entries.length > 0 &&
    entries.length <= 6 &&
    entries.every(
      ([k, v]) => /^[a-zA-Z]{1,32}$/.test(k) && typeof v === 'string' && v.length <= 1024,
    );
  if (!wellFormed) throw tampered();
  return Object.fromEntries(entries) as Position;
};
