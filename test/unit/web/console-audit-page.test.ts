import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/audit/audit';
import type { AuditNames } from '../../../src/core/audit/audit-names';
import type { Role } from '../../../src/core/users/roles';
import { createUser } from '../../../src/core/users/user-management';
import type { UserRecord } from '../../../src/core/users/users';
import { detailList, keyWords } from '../../../src/web/pages/console-audit/detail';
import { auditCsvExport, auditJsonLinesExport } from '../../../src/web/pages/console-audit/export';
import { auditPage } from '../../../src/web/pages/console-audit/page';
import { type TestDeps, testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';

const meta = { ip: '203.0.113.7', userAgent: 'unit' };
const AT = Date.UTC(2026, 11, 7, 4, 12, 9);

const addUser = async (deps: TestDeps, email: string, role: Role, name?: string) => {
  const made = await createUser(
    deps,
    { kind: 'operator', name: 'cli' },
    { email, role, ...(name ? { name } : {}) },
    meta,
  );
  return (await deps.store.getUser(made.id)) as UserRecord;
};

const event = (overrides: Partial<AuditEvent>): AuditEvent => ({
  id: `ev-${Math.random().toString(36).slice(2)}`,
  at: new Date(AT).toISOString(),
  actor_id: null,
  actor_token_id: null,
  action: 'user.update',
  target_id: null,
  ip: null,
  user_agent: null,
  outcome: 'success',
  detail: {},
  ...overrides,
});

const setUp = async () => {
  const deps = testDeps();
  const owner = await addUser(deps, 'owner@example.com', 'owner', 'Olive Owner');
  const editor = await addUser(deps, 'editor@example.com', 'editor');
  const write = (e: Partial<AuditEvent>) => deps.store.writeAuditEvent(event(e), AT + 86_400_000);
  const open = async (query = '', path = '/console/audit') => {
    const result = await auditPage(pageRequest(deps, { user: owner, path, query }));
    return { ...result, body: result.body ?? '' };
  };
  return { deps, owner, editor, write, open };
};

const noNames: AuditNames = { users: new Map(), tokens: new Map(), clients: new Map() };

describe('audit detail as labelled fields', () => {
  it('turns keys into words and formats booleans, numbers, times, lists and identities', () => {
    const out = detailList(
      event({
        ip: '198.51.100.4',
        user_agent: 'Mozilla/5.0 (X11)',
        detail: {
          takeover: true,
          scoped: false,
          sessions: 1200,
          scope: 'openid users:read',
          provider: 'google',
          subject: '1234567890',
          expires_at: '2026-12-08T00:00:00.000Z',
          custom_thing: null,
          sid: 'sid-abcdef',
        },
      }),
      noNames,
    ).value;
    expect(out).toMatch(/^<dl class="detail">/);
    expect(out).toContain('<dt>Identity</dt><dd><code>google</code> · ');
    expect(out).not.toContain('<dt>Provider</dt>');
    expect(out).toContain('<dt>Took over an unproven account</dt><dd>Yes</dd>');
    expect(out).toContain('<dt>Scoped token</dt><dd>No</dd>');
    expect(out).toContain('<dt>Sessions ended</dt><dd>1,200</dd>');
    expect(out).toContain('<li><code>openid</code></li><li><code>users:read</code></li>');
    expect(out).toContain(
      '<time datetime="2026-12-08T00:00:00.000Z" title="2026-12-08 00:00:00 UTC">',
    );
    expect(out).toContain('<dt>Custom thing</dt><dd><span>none</span></dd>');
    expect(out).toContain('title="sid-abcdef"');
    expect(out).toContain('<dt>IP address</dt>');
    expect(out).toContain(
      '<dt>Browser or client</dt><dd><span class="clip" tabindex="0" title="Mozilla/5.0 (X11)">',
    );
    expect(out).not.toMatch(/[{}]/);
    expect(keyWords('other_sessions_ended')).toBe('Other sessions ended');
    expect(keyWords('brand_new_key')).toBe('Brand new key');
  });

  it('escapes every value', () => {
    const out = detailList(event({ detail: { '<b>': '<script>x</script>' } }), noNames).value;
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<b>');
  });
});

describe('the audit page', () => {
  it('shows actions in words, people by name, tokens and clients by name, times in one line', async () => {
    const { deps, owner, write, open } = await setUp();
    const machine = await createUser(
      deps,
      { kind: 'operator', name: 'cli' },
      { email: 'robot@example.com', role: 'viewer', type: 'machine', name: 'Build robot' },
      meta,
    );
    await write({
      action: 'token.create',
      actor_id: owner.id,
      target_id: machine.id,
      detail: { token_id: 'tok-gone', scoped: true },
    });
    await write({ action: 'client.delete', actor_id: owner.id, target_id: 'client-deleted-123' });
    await write({ action: 'auth.sign_in', outcome: 'failure', detail: { method: 'password' } });
    await write({ action: 'brand.new', actor_id: 'user-gone-0123456789' });
    const body = (await open()).body;
    expect(body).toContain('Created an API token<br><code>token.create</code>');
    expect(body).toContain('Unrecognised action<br><code>brand.new</code>');
    expect(body).toMatch(
      /href="\/console\/users\/[^"]+"[^>]*>Build robot<\/a> <small>\(machine\)<\/small>/,
    );
    expect(body).toContain('>owner@example.com</a>');
    expect(body).toContain('title="user-gone-0123456789">user-gone-0123456789</code>');
    expect(body).toContain('title="client-deleted-123"');
    expect(body).toContain('<span class="badge badge-failure">Failure</span>');
    expect(body).toContain('Operator (cli)');
    expect(body).toContain(
      '<time datetime="2026-12-07T04:12:09.000Z" title="2026-12-07 04:12:09 UTC">2026-12-07 04:12 UTC</time>',
    );
    expect(body).toContain('<table class="audit-table">');
    expect(body).toContain('<th scope="col">Detail</th>');
    expect(body).not.toContain('table-wrap');
  });

  it('filters by outcome, by actor email, by time in the viewer’s zone, and keeps them in the pager', async () => {
    const { owner, write, open } = await setUp();
    for (let i = 0; i < 60; i++) {
      await write({
        at: new Date(AT + i * 60_000).toISOString(),
        action: 'auth.sign_in',
        actor_id: owner.id,
        target_id: owner.id,
        outcome: i % 2 ? 'failure' : 'success',
      });
    }
    const failures = (await open('outcome=failure&action=auth.sign_in&actor_id=OWNER@example.com'))
      .body;
    expect(failures).not.toContain('badge-success');
    expect(failures.match(/badge-failure/g)).toHaveLength(30);
    // 09:50 in India (+05:30) is 04:20 UTC: minutes 8 to 10 inclusive of the events above.
    const windowed = (
      await open('since=2026-12-07T09:50&until=2026-12-07T09:52&tz=330&action=auth.sign_in')
    ).body;
    expect(windowed.match(/<tr>/g)).toHaveLength(1 + 3);
    expect(windowed).toContain('value="2026-12-07T09:50"');
    const paged = (await open('action=auth.sign_in&tz=0&since=2026-12-07T04:00')).body;
    const next = paged.match(/href="(\/console\/audit\?[^"]*cursor=[^"]+)">Next page/)?.[1];
    expect(next).toContain('since=2026-12-07T04%3A00');
    expect(next).toContain('tz=0');
    const url = new URL(next?.replaceAll('&amp;', '&') ?? '', 'https://x');
    const second = (await open(url.search.slice(1))).body;
    expect(second.match(/<tr>/g)?.length).toBeGreaterThan(1);
    expect(paged).toContain('href="/console/audit/export.csv?action=auth.sign_in&amp;since=');
  });

  it('answers bad input with 400 and a message, and says when a reference names no user', async () => {
    const { open } = await setUp();
    for (const query of [
      'actor_id=nobody@example.com',
      'since=yesterday',
      'since=2026-12-07T10:00&tz=99999',
      'since=2026-12-08T10:00&until=2026-12-07T10:00',
      'outcome=maybe',
      'cursor=forged',
    ]) {
      const result = await open(query);
      expect(result.statusCode, query).toBe(400);
      expect(result.body, query).toContain('role="alert"');
    }
    expect((await open('actor_id=nobody@example.com')).body).toContain(
      'no user has the email nobody@example.com',
    );
    const unknown = await open('target_id=tok-123');
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('no user has the id or username tok-123');
  });

  it('refuses an editor the page and the exports', async () => {
    const { deps, editor } = await setUp();
    for (const action of [auditPage, auditCsvExport, auditJsonLinesExport]) {
      await expect(
        action(pageRequest(deps, { user: editor, path: '/console/audit' })),
      ).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it('downloads the filtered events as an attachment', async () => {
    const { deps, owner, write } = await setUp();
    await write({ action: 'user.update', actor_id: owner.id, user_agent: '=1+1' });
    await write({ action: 'auth.sign_out', actor_id: owner.id });
    const csv = await auditCsvExport(
      pageRequest(deps, {
        user: owner,
        path: '/console/audit/export.csv',
        query: 'action=user.update',
      }),
    );
    expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="gatehouse-audit-\d{8}T\d{6}Z\.csv"$/,
    );
    expect(csv.headers.link).toBeUndefined();
    expect(csv.body).toContain(`,"'=1+1",`);
    expect(csv.body).not.toContain('auth.sign_out');
    const jsonl = await auditJsonLinesExport(
      pageRequest(deps, { user: owner, path: '/console/audit/export.jsonl', query: '' }),
    );
    expect(
      String(jsonl.body)
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).action),
    ).toContain('auth.sign_out');
  });
});
