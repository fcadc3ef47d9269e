import type { CoreDeps } from '../shared/deps';
import type { AuditEvent } from './audit';
import { type ConsoleAuditQuery, listAuditEvents } from './audit-log';

export type AuditExportFormat = 'csv' | 'jsonl';

/** The CSV's columns: the API event's fields in its order, `detail` as one JSON cell. */
const CSV_COLUMNS = [
  'id',
  'at',
  'action',
  'actor_id',
  'actor_token_id',
  'target_id',
  'ip',
  'user_agent',
  'outcome',
  'detail',
] as const satisfies readonly (keyof AuditEvent)[];

/** Below Lambda's 6 MB buffered answer (HTTP API), with room for the headers. */
const EXPORT_BYTE_BUDGET = 5_000_000;
const EXPORT_PAGE_SIZE = 200;
/** Sparse filters read many items per match: a part stops after this many store pages. */
const MAX_PAGES_PER_PART = 50;

/** A spreadsheet runs a cell that starts with these as a formula: a `'` makes it text. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field: formula starts neutralised, and every field quoted, so a spreadsheet
 * reading `;` (or any other character) as the delimiter never splits a value into a formula.
 */
export const csvCell = (value: string | number | boolean | null): string => {
  const raw = value === null ? '' : String(value);
  const text = FORMULA_START.test(raw) ? `'${raw}` : raw;
  return `"${text.replaceAll('"', '""')}"`;
};

const csvRow = (cells: (string | number | boolean | null)[]) =>
  `${cells.map(csvCell).join(',')}\r\n`;

export const csvHeader = (): string => csvRow([...CSV_COLUMNS]);

export const csvLine = (event: AuditEvent): string =>
  csvRow(
    CSV_COLUMNS.map((column) =>
      column === 'detail' ? JSON.stringify(event.detail) : event[column],
    ),
  );

/** One API event object (API.md's shape, its field order) per line. */
export const jsonLine = (event: AuditEvent): string =>
  `${JSON.stringify(Object.fromEntries(CSV_COLUMNS.map((column) => [column, event[column]])))}\n`;

export interface AuditExportPart {
  body: string;
  /** The cursor the next part starts from; null when this part holds the rest. */
  next_cursor: string | null;
}

/**
 * One part of an export of the filtered events, newest first, read page by page: it stops
 * before a page would take it past `byteBudget` (never the whole log in memory, never past
 * the buffered answer's cap) and says where the next part starts. The first page always goes
 * in, so every part moves forward.
 */
export const exportAuditEvents = async (
  deps: CoreDeps,
  query: ConsoleAuditQuery,
  format: AuditExportFormat,
  byteBudget = EXPORT_BYTE_BUDGET,
): Promise<AuditExportPart> => {
  const line = format === 'csv' ? csvLine : jsonLine;
  const chunks = format === 'csv' ? [csvHeader()] : [];
  let bytes = Buffer.byteLength(chunks.join(''));
  let cursor = query.cursor;
  for (let pages = 0; pages < MAX_PAGES_PER_PART; pages++) {
    const page = await listAuditEvents(deps, {
      ...query,
      limit: EXPORT_PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    });
    const text = page.events.map(line).join('');
    const size = Buffer.byteLength(text);
    if (pages > 0 && bytes + size > byteBudget)
      return { body: chunks.join(''), next_cursor: cursor ?? null };
    chunks.push(text);
    bytes += size;
    if (!page.next_cursor) return { body: chunks.join(''), next_cursor: null };
    cursor = page.next_cursor;
  }
  return { body: chunks.join(''), next_cursor: cursor ?? null };
};
