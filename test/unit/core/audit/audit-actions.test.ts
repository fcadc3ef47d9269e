import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ACTIONS,
  AUDIT_AREAS,
  actionsByArea,
  actionWords,
} from '../../../../src/core/audit/audit-actions';

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });

/** `user.pending` is a user event's type (user-events.ts), published, never audited. */
const NOT_AUDIT_ACTIONS = new Set(['user.pending']);

/**
 * Every action string src/ can audit: `action: '…'` anywhere (any area), and, in files that
 * write audit events, any `'area.verb'` literal of an area the catalogue knows (defaults,
 * ternaries, unions: `action = 'user.delete'`).
 */
const emittedActions = () => {
  const areas = Object.keys(AUDIT_AREAS).join('|');
  // A file name (`users.ts`) is not an action.
  const literal = new RegExp(`['\`]((?:${areas})\\.(?!(?:ts|js|css|json)['\`])[a-z_]+)['\`]`, 'g');
  const keyed = /\baction: ['`]([a-z_]+\.[a-z_]+)['`]/g;
  const found = new Map<string, string>();
  for (const file of sourceFiles('src')) {
    if (file.endsWith(join('audit', 'audit-actions.ts'))) continue;
    // Comments out (a `// …` after whitespace: a URL's `://` stays), so prose is not an action.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|\s)\/\/.*$/gm, '$1');
    const audits = /recordAudit|auditRecord|AuditEntry/.test(text);
    for (const pattern of audits ? [literal, keyed] : [keyed]) {
      for (const match of text.matchAll(pattern)) {
        const action = match[1] as string;
        if (!NOT_AUDIT_ACTIONS.has(action)) found.set(action, file);
      }
    }
  }
  return found;
};

describe('the audit action catalogue', () => {
  it('has words for every action src/ emits', () => {
    const emitted = emittedActions();
    // The grep finds the known actions, so it would find a new one.
    expect([...emitted.keys()]).toEqual(
      expect.arrayContaining(['auth.sign_in', 'user.delete', 'account.email_verify', 'mfa.reset']),
    );
    const missing = [...emitted].filter(([action]) => !Object.hasOwn(AUDIT_ACTIONS, action));
    expect(missing, 'actions without words in src/core/audit/audit-actions.ts').toEqual([]);
  });

  it('lists no action src/ does not emit', () => {
    const emitted = emittedActions();
    expect(Object.keys(AUDIT_ACTIONS).filter((action) => !emitted.has(action))).toEqual([]);
  });

  it('names an area for every action, and groups them in catalogue order', () => {
    const groups = actionsByArea();
    expect(groups.flatMap((g) => g.actions)).toEqual(Object.keys(AUDIT_ACTIONS));
    for (const group of groups) expect(group.label).toBe(AUDIT_AREAS[group.area]);
  });

  it('reads an action in words, and says so for an unknown one', () => {
    expect(actionWords('user.update')).toBe('Changed a user');
    expect(actionWords('token.revoke')).toBe('Revoked a token');
    expect(actionWords('auth.sign_in')).toBe('Signed in');
    expect(actionWords('future.thing')).toBe('Unrecognised action');
    expect(actionWords('toString')).toBe('Unrecognised action');
  });
});
