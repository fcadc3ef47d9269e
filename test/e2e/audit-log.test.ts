import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/audit/audit';
import { csvRecords, unguarded } from '../support/audit-csv';
import { writeAuditEvents } from '../support/audit-events';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';

/**
 * The console's audit log over HTTP on DynamoDB Local: each filter alone and combined, the
 * exports parsed back equal GET /audit's events, the byte budget's continuation, and roles.
 */
const OWNER = { email: 'owner@audit-log.test', password: 'audit log owner passphrase' };
const EDITOR = { email: 'editor@audit-log.test', password: 'audit log editor passphrase' };
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
});

const ACTORS = ['actor-a', 'actor-b', 'actor-c'];
const ACTIONS = ['auth.sign_in', 'user.update', 'token.create'];
/** 450 events on 1 Nov 2026 between 10:00 and 10:07:30 UTC, one a second. */
const seeded = (n: number): AuditEvent => ({
  id: `seed-${String(n).padStart(4, '0')}`,
  at: new Date(Date.UTC(2026, 10, 1, 10, 0, n)).toISOString(),
  actor_id: ACTORS[n % 3] as string,
  actor_token_id: null,
  action: ACTIONS[Math.floor(n / 3) % 3] as string,
  target_id: n % 5 ? 'target-x' : 'target-y',
  ip: '198.51.100.7',
  user_agent: n % 7 ? 'Mozilla/5.0, "quoted"' : '=HYPERLINK("http://evil")',
  outcome: n % 4 ? 'failure' : 'success',
  detail: { n, note: `line one\r\nline two, ${n}`, flag: n % 2 === 0 },
});
/** 1,300 events of about 4.5 kB on 1 Oct 2026: about 6 MB, past one export part. */
const bulky = (n: number): AuditEvent => ({
  ...seeded(n),
  id: `bulk-${String(n).padStart(4, '0')}`,
  at: new Date(Date.UTC(2026, 9, 1, 8, 0, 0, n * 10)).toISOString(),
  detail: { n, padding: 'x'.repeat(4300) },
});

let ownerToken: string;
const owner = browserFlow(() => stack().url);
const editor = browserFlow(() => stack().url);

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email: EDITOR.email, role: 'editor', password: EDITOR.password },
  });
  expect(made.status, made.text).toBe(201);
  await writeAuditEvents([
    ...Array.from({ length: 450 }, (_, n) => seeded(n)),
    ...Array.from({ length: 1300 }, (_, n) => bulky(n)),
  ]);
  await owner.signIn(OWNER.email, OWNER.password);
  await editor.signIn(EDITOR.email, EDITOR.password);
}, 120_000);

/** Every event GET /audit answers for these (API) filters, page by page. */
const apiEvents = async (params: Record<string, string>): Promise<AuditEvent[]> => {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ ...params, limit: '200', ...(cursor ? { cursor } : {}) });
    const page = await call('GET', `/audit?${query}`, { token: ownerToken });
    expect(page.status, page.text).toBe(200);
    events.push(...page.body.events);
    cursor = page.body.next_cursor;
  } while (cursor);
  return events;
};

const get = async (flow: ReturnType<typeof browserFlow>, path: string) => {
  const response = await fetch(new URL(path, stack().url), {
    headers: { cookie: flow.cookieHeader() },
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
};

/** An export's parts, following `Link: rel="next"`, as the events they hold. */
const exported = async (format: 'csv' | 'jsonl', query: string) => {
  const parts: { bytes: number; link: string | null }[] = [];
  const events: AuditEvent[] = [];
  let path: string | null = `/console/audit/export.${format}?${query}`;
  while (path) {
    const part = await get(owner, path);
    expect(part.status, part.text.slice(0, 300)).toBe(200);
    expect(part.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="gatehouse-audit-[0-9TZ]+(-continued)?\\.${format}"$`),
    );
    const link = part.headers.get('link');
    parts.push({ bytes: Buffer.byteLength(part.text), link });
    events.push(
      ...(format === 'jsonl'
        ? part.text
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as AuditEvent)
        : csvRecords(part.text).map(fromCsv)),
    );
    path = link ? (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null) : null;
  }
  return { parts, events };
};

/** A CSV record back to the API's event (empty cells are nulls, detail is JSON). */
const fromCsv = (record: Record<string, string>): AuditEvent => {
  const value = (name: string) => (record[name] === '' ? null : unguarded(record[name] ?? ''));
  return {
    id: record.id ?? '',
    at: record.at ?? '',
    actor_id: value('actor_id'),
    actor_token_id: value('actor_token_id'),
    action: record.action ?? '',
    target_id: value('target_id'),
    ip: value('ip'),
    user_agent: value('user_agent'),
    outcome: record.outcome as AuditEvent['outcome'],
    detail: JSON.parse(record.detail ?? '{}'),
  };
};

const DAY = { since: '2026-11-01T10:00:00Z', until: '2026-11-01T10:59:59Z' };
const DAY_LOCAL = 'since=2026-11-01T10:00&until=2026-11-01T10:59&tz=0';

describe('the console audit log over HTTP', () => {
  it.each([
    ['action', 'action=user.update', { action: 'user.update' }, null],
    ['actor', 'actor_id=actor-b', { actor_id: 'actor-b' }, null],
    ['target', 'target_id=target-y', { target_id: 'target-y' }, null],
    ['outcome', 'outcome=success', {}, 'success'],
    [
      'time range',
      'since=2026-11-01T10:02&until=2026-11-01T10:03&tz=0',
      {
        since: '2026-11-01T10:02:00Z',
        until: '2026-11-01T10:03:59.999Z',
      },
      null,
    ],
    [
      'time range in +05:30',
      'since=2026-11-01T15:32&until=2026-11-01T15:33&tz=330',
      {
        since: '2026-11-01T10:02:00Z',
        until: '2026-11-01T10:03:59.999Z',
      },
      null,
    ],
    [
      'all combined',
      'action=auth.sign_in&actor_id=actor-a&target_id=target-x&outcome=failure&since=2026-11-01T10:01&until=2026-11-01T10:06&tz=0',
      {
        action: 'auth.sign_in',
        actor_id: 'actor-a',
        target_id: 'target-x',
        since: '2026-11-01T10:01:00Z',
        until: '2026-11-01T10:06:59.999Z',
      },
      'failure',
    ],
  ] as const)(
    'filters by %s: the page and the JSON Lines export agree with GET /audit',
    async (_, query, api, outcome) => {
      const scoped = query.includes('since=') ? query : `${query}&${DAY_LOCAL}`;
      const apiScope = 'since' in api ? api : { ...api, ...DAY };
      const expected = (await apiEvents(apiScope)).filter((e) => !outcome || e.outcome === outcome);
      expect(expected.length).toBeGreaterThan(0);
      const { events } = await exported('jsonl', scoped);
      expect(events).toEqual(expected);
      const page = await get(owner, `/console/audit?${scoped}`);
      expect(page.status).toBe(200);
      const shown = [
        ...page.text.matchAll(/<tr>\n<td data-label="When"><time datetime="([^"]+)"/g),
      ];
      // A post-filter (outcome) may end a page short, with a next page: never skipping an event.
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.map((m) => m[1])).toEqual(expected.slice(0, shown.length).map((e) => e.at));
      if (shown.length < Math.min(50, expected.length)) expect(page.text).toContain('Next page');
    },
  );

  it('exports more than one store page as RFC 4180 CSV that parses back to GET /audit’s events', async () => {
    const expected = (await apiEvents(DAY)).filter((e) => e.outcome === 'failure');
    expect(expected.length).toBeGreaterThan(200);
    const { parts, events } = await exported('csv', `outcome=failure&${DAY_LOCAL}`);
    expect(parts).toHaveLength(1);
    expect(events).toEqual(expected);
  });

  it('stops a part before the byte budget and links the next part, which carries the filters', async () => {
    const query = 'since=2026-10-01T00:00&until=2026-10-01T23:59&tz=0';
    const expected = await apiEvents({
      since: '2026-10-01T00:00:00Z',
      until: '2026-10-01T23:59:59Z',
    });
    expect(expected).toHaveLength(1300);
    const { parts, events } = await exported('jsonl', query);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.bytes).toBeLessThanOrEqual(5_000_000);
    expect(parts[0]?.link).toContain('since=2026-10-01T00%3A00');
    expect(parts.at(-1)?.link).toBeNull();
    expect(events.map((e) => e.id)).toEqual(expected.map((e) => e.id));
  });

  it('answers bad filters with the page and a 400, never a 500', async () => {
    for (const query of [
      'since=soon',
      'outcome=perhaps',
      'actor_id=nobody@audit-log.test',
      'cursor=x',
    ]) {
      const page = await get(owner, `/console/audit?${query}`);
      expect(page.status, query).toBe(400);
      expect(page.text, query).toContain('role="alert"');
      expect((await get(owner, `/console/audit/export.csv?${query}`)).status, query).toBe(400);
    }
  });

  it('refuses an editor the page and both exports', async () => {
    for (const path of [
      '/console/audit',
      '/console/audit/export.csv',
      '/console/audit/export.jsonl',
    ]) {
      const refused = await get(editor, path);
      expect(refused.status, path).toBe(403);
      expect(refused.text).not.toContain('seed-');
    }
  });
});
