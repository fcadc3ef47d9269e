import type { ImportSummary } from '../core/user-import';
import type { PublicUser } from '../core/users';

/** Where results go: stdout, as text for people or as JSON for scripts (`--json`). */
export interface Output {
  json: boolean;
  /** The command's result: `text` for people, `value` for `--json`. */
  result(text: () => string, value: unknown): void;
  /** A remark for people, on stderr so it never mixes with results. */
  note(line: string): void;
}

export const createOutput = (
  json: boolean,
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): Output => ({
  json,
  result(text, value) {
    stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
  },
  note(line) {
    stderr.write(`${line}\n`);
  },
});

// Names and attributes come from users and identity providers: no terminal escapes from them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const safe = (value: string) => value.replace(CONTROL, '?');

export const formatUser = (user: PublicUser): string => {
  const attributes = Object.entries(user.attributes).map(([key, value]) => `${key}=${value}`);
  const rows: [string, string][] = [
    ['id', user.id],
    ['email', user.email],
    ['username', user.username ?? '-'],
    ['name', user.name ?? '-'],
    ['role', user.role],
    ['status', user.status],
    ['type', user.type],
    ['groups', user.groups.join(', ') || '-'],
    ['attributes', attributes.join(', ') || '-'],
    ['created', user.created_at],
    ['updated', user.updated_at],
    ['last sign-in', user.last_sign_in_at ?? 'never'],
  ];
  return rows.map(([label, value]) => `${label.padEnd(14)}${safe(value)}`).join('\n');
};

export const formatUserTable = (users: PublicUser[]): string => {
  if (users.length === 0) return 'No users.';
  const header = ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', 'TYPE'];
  const rows = users.map((u) => [u.id, u.email, u.name ?? '-', u.role, u.status, u.type].map(safe));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [header, ...rows]
    .map((cells) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  '),
    )
    .join('\n');
};

export const formatImportSummary = (summary: ImportSummary, describe: string): string =>
  [
    describe,
    ...summary.failed.map(
      (f) => `  row ${f.row}${f.email === undefined ? '' : ` (${safe(f.email)})`}: ${f.reason}`,
    ),
  ].join('\n');
