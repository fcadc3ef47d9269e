import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CoreDeps } from './deps';
import { GatehouseError } from './errors';
import type { Position } from './store';

const tampered = () =>
  new GatehouseError('record_invalid', 'cursor: is not a cursor this listing gave.');

type CursorDeps = Pick<CoreDeps, 'cursorKey'>;

const mac = (key: Uint8Array, payload: Buffer) =>
  createHmac('sha256', key).update('gatehouse-cursor\n').update(payload).digest();

const signed = (key: Uint8Array, payload: Buffer) =>
  `${payload.toString('base64url')}.${mac(key, payload).toString('base64url')}`;

/**
 * Cursors are opaque to clients: the store's position plus the listing's filters, so a cursor
 * works only with the query that produced it, authenticated with an HMAC-SHA256 under the
 * service's cursor key so that any edit is a 400 (a client must not steer the store's reads).
 */
export const encodeCursor = async (
  deps: CursorDeps,
  position: Position,
  filters: string,
): Promise<string> =>
  signed(await deps.cursorKey(), Buffer.from(JSON.stringify({ p: position, f: filters })));

export const decodeCursor = async (
  deps: CursorDeps,
  cursor: string,
  filters: string,
): Promise<Position> => {
  const [encoded, signature, extra] = cursor.split('.');
  if (encoded === undefined || signature === undefined || extra !== undefined) throw tampered();
  const payload = Buffer.from(encoded, 'base64url');
  // The whole text is compared, not just the MAC, so another spelling of the same bytes (spare
  // bits of a base64url character, stray characters) is an edit too.
  const expected = Buffer.from(signed(await deps.cursorKey(), payload));
  const given = Buffer.from(cursor);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw tampered();
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
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
      ([k, v]) =>
        /^[a-zA-Z][a-zA-Z0-9]{0,31}$/.test(k) && typeof v === 'string' && v.length <= 1024,
    );
  if (!wellFormed) throw tampered();
  return Object.fromEntries(entries) as Position;
};
