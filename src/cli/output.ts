import type { ImportSummary } from '../core/users/user-import';
import type { PublicUser } from '../core/users/users';

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

// Names and attributes come from users, identity providers and whoever registered a client:
// no terminal escapes from them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
export const safe = (value: string) => value.replace(CONTROL, '?');

/** One record, a `label  value` line a field, the values lined up two spaces past the longest label. */
export const formatFields = (fields: [string, string][]): string => {
  const width = Math.max(...fields.map(([label]) => label.length)) + 2;
  return fields.map(([label, value]) => `${label.padEnd(width)}${safe(value)}`).join('\n');
};

/** Columns two spaces apart, each as wide as its widest cell; the last one is not padded. */
export const formatTable = (header: string[], rows: string[][]): string => {
  const cells = rows.map((row) => row.map(safe));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  '),
    )
    .join('\n');
};

export const formatUser = (user: PublicUser): string => {
  const attributes = Object.entries(user.attributes).map(([key, value]) => `${key}=${value}`);
  return formatFields([
    ['id', user.id],
    ['email', user.email],
    ['verified', user.email_verified ? 'email proven' : 'email unproven'],
    ['identities', user.identities.map((i) => `${i.provider} ${i.subject}`).join(', ') || '-'],
    ['username', user.username ?? '-'],
    ['name', user.name ?? '-'],
    ['role', user.role],
    ['status', user.status],
    ['type', user.type],
    ['groups', user.groups.join(', ') || '-'],
    ['mfa', user.mfa.enrolled ? user.mfa.types.join(', ') : 'none'],
    ['attributes', attributes.join(', ') || '-'],
    ['created', user.created_at],
    ['updated', user.updated_at],
    ['last sign-in', user.last_sign_in_at ?? 'never'],
  ]);
};

export const formatUserTable = (users: PublicUser[]): string => {
  if (users.length === 0) return 'No users.';
  return formatTable(
    ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', 'TYPE'],
    users.map((u) => [u.id, u.email, u.name ?? '-', u.role, u.status, u.type]),
  );
};

export const formatImportSummary = (summary: ImportSummary, describe: string): string =>
  [
    describe,
    ...summary.failed.map(
      (f) => `  row ${f.row}${f.email === undefined ? '' : ` (${safe(f.email)})`}: ${f.reason}`,
    ),
  ].join('\n');
