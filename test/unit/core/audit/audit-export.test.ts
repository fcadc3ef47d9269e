import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../src/core/audit/audit';
import {
  csvCell,
  csvHeader,
  csvLine,
  exportAuditEvents,
  jsonLine,
} from '../../../../src/core/audit/audit-export';
import { listAuditEvents } from '../../../../src/core/audit/audit-log';
import { csvRecords, readCsv, unguarded } from '../../../support/audit-csv';
import { testDeps } from '../../../support/core-deps';

const event = (n: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: `e${String(n).padStart(4, '0')}`,
  at: new Date(Date.UTC(2026, 11, 7, 4, 0, n)).toISOString(),
  actor_id: 'u1',
  actor_token_id: null,
  action: 'user.update',
  target_id: 'u2',
  ip: '203.0.113.9',
  user_agent: 'Mozilla/5.0',
  outcome: n % 3 ? 'success' : 'failure',
  detail: { fields: 'name', n },
  ...overrides,
});

describe('CSV cells (RFC 4180, spreadsheet-safe)', () => {
  it('quotes every field (a ";" locale splits no value), doubling the quotes inside', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('one\ntwo')).toBe('"one\ntwo"');
    expect(csvCell('one\r\ntwo')).toBe('"one\r\ntwo"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(true)).toBe('"true"');
    expect(csvCell(3)).toBe('"3"');
    expect(csvCell('Zoë 😀 名前')).toBe('"Zoë 😀 名前"');
  });

  it("neutralises a formula start (= + - @ TAB CR) with a leading '", () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('a=b')).toBe('"a=b"');
  });

  it('writes a header and one CRLF line per event that a reader parses back', () => {
    const hostile = event(1, {
      user_agent: '=cmd|"/c calc"!A1,\r\nnext',
      detail: { name: 'Zoë, "the" admin\n', ok: true, none: null },
    });
    const text = csvHeader() + csvLine(hostile) + csvLine(event(2));
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = readCsv(text);
    expect(header).toEqual([
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
    ]);
    expect(rows).toHaveLength(2);
    const [first] = csvRecords(text);
    expect(first?.user_agent).toBe(`'=cmd|"/c calc"!A1,\r\nnext`);
    expect(unguarded(first?.user_agent ?? '')).toBe(hostile.user_agent);
    expect(JSON.parse(first?.detail ?? '')).toEqual(hostile.detail);
    expect(first?.actor_token_id).toBe('');
  });

  it('writes one API event object per JSON line, in the API field order', () => {
    const line = jsonLine(event(5));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(Object.keys(JSON.parse(line))).toEqual([
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
    ]);
    expect(JSON.parse(line)).toEqual(event(5));
  });
});

describe('exportAuditEvents', () => {
  const withEvents = async (count: number) => {
    const deps = testDeps();
    for (let n = 1; n <= count; n++)
      await deps.store.writeAuditEvent(event(n), Date.UTC(2027, 0, 1));
    return deps;
  };

  it('reads every matching event page by page, newest first', async () => {
    const deps = await withEvents(450);
    const part = await exportAuditEvents(deps, { outcome: 'failure' }, 'jsonl');
    expect(part.next_cursor).toBeNull();
    const ids = part.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    const expected = Array.from({ length: 450 }, (_, i) => 450 - i).filter((n) => n % 3 === 0);
    expect(ids).toEqual(expected.map((n) => event(n).id));
  });

  it('stops at a page boundary before the byte budget and continues from a cursor', async () => {
    const deps = await withEvents(450);
    const budget = 300 * csvLine(event(1)).length;
    const first = await exportAuditEvents(deps, {}, 'csv', budget);
    expect(Buffer.byteLength(first.body)).toBeLessThanOrEqual(budget);
    expect(first.next_cursor).not.toBeNull();
    expect(csvRecords(first.body)).toHaveLength(200);
    const rest = await exportAuditEvents(
      deps,
      { cursor: first.next_cursor ?? undefined },
      'csv',
      budget,
    );
    expect(rest.next_cursor).toBeNull();
    const ids = [...csvRecords(first.body), ...csvRecords(rest.body)].map((r) => r.id);
    expect(ids).toHaveLength(450);
    expect(new Set(ids).size).toBe(450);
    // The continuation is a GET /audit cursor of the same filters.
    const listed = await listAuditEvents(deps, {
      cursor: first.next_cursor ?? undefined,
      limit: 1,
    });
    expect(listed.events[0]?.id).toBe(csvRecords(rest.body)[0]?.id);
  });

  it('always takes the first page, so a tiny budget still moves forward', async () => {
    const deps = await withEvents(250);
    const part = await exportAuditEvents(deps, {}, 'jsonl', 1);
    expect(part.body.trimEnd().split('\n')).toHaveLength(200);
    expect(part.next_cursor).not.toBeNull();
  });
});
