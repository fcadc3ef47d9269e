import { InvalidArgumentError } from '@commander-js/extra-typings';
import type * as z from 'zod/mini';
import type { CoreDeps } from '../core/shared/deps';
import { GatehouseError } from '../core/shared/errors';
import { describeIssue } from '../core/shared/validation';
import type { Actor } from '../core/users/user-policy';
import type { ExitCode } from './exit-codes';
import type { Output } from './output';

/** The CLI acts on the tables directly, as an operator: the role ceiling of an owner. */
export const OPERATOR: Actor = { kind: 'operator', name: 'cli' };

interface Session {
  deps: CoreDeps;
  out: Output;
}

/** What every command group (users, clients) is given by the program. */
export interface CliContext {
  /** Connects to the tables the global options name. */
  open(): Promise<Session>;
  /** A non-zero status for a command that ran to the end but has something to report. */
  setExitCode(code: ExitCode): void;
}

/** The options as the HTTP API's schema reads them, so both refuse the same input alike. */
export const check = <S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new GatehouseError('record_invalid', describeIssue(parsed.error));
  return parsed.data;
};

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

/** `--limit`: a page of 1 to 200, as the listings take. */
export const positiveLimit = (value: string): number => {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new InvalidArgumentError('expected a whole number from 1 to 200.');
  }
  return limit;
};

/** The `Examples:` section of a command's help. */
export const examples = (...lines: string[]) =>
  `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

export type PageQuery = { limit?: number; cursor?: string };
/** A page of a listing as the core gives it: `{ users: [...], next_cursor }` and the like. */
type Page<K extends string, T> = Record<K, T[]> & { next_cursor: string | null };

/** Every item of a listing, page after page (of the query's limit, or 200) from its cursor. */
export const everyPage = async <K extends string, T>(
  key: K,
  list: (query: PageQuery) => Promise<Page<K, T>>,
  query: PageQuery,
): Promise<T[]> => {
  const items: T[] = [];
  let cursor = query.cursor;
  do {
    const page = await list({ limit: query.limit ?? 200, ...(cursor ? { cursor } : {}) });
    items.push(...page[key]);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
};

/** A `list` command's answer: one page, or every page with --all; people get told of the next. */
export const showListing = async <K extends string, T>(
  out: Output,
  key: K,
  list: (query: PageQuery) => Promise<Page<K, T>>,
  format: (items: T[]) => string,
  options: PageQuery & { all?: true },
) => {
  const { all, ...query } = options;
  const listing = all
    ? ({ [key]: await everyPage(key, list, query), next_cursor: null } as Page<K, T>)
    : await list(query);
  out.result(() => format(listing[key]), listing);
  if (!out.json && listing.next_cursor) {
    out.note(`More ${key}: add --cursor ${listing.next_cursor} (or use --all).`);
  }
};
