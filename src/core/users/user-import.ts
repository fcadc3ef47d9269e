import * as z from 'zod/mini';
import '../shared/validation';
import { noRequest, type RequestMeta, recordAudit } from '../audit/audit';
import {
  assertImportableRefreshToken,
  isImportableRefreshToken,
  setImportedRefreshToken,
} from '../sessions/imported-refresh';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError, isGatehouseError } from '../shared/errors';
import { describeIssue } from '../shared/validation';
import { assertLinkable, linkIdentity } from './import-links';
import { createUser, updateUser } from './user-management';
import { type Actor, auditActor, operatorDetail } from './user-policy';
import { emailKey, type PublicUser, type UserRecord } from './users';

/**
 * users.json, the user list of ServiceX: `[{email, name, institution, sub, refresh_token?}]`.
 * `institution` and `sub` (the identity provider's subject) live in `attributes`, and `sub`
 * also links the user to (USERS_IMPORT_PROVIDER, sub) when a provider is configured;
 * `refresh_token` is a secret of the other system, kept only as the SHA-256 of the user's
 * imported refresh credential (imported-refresh.ts), never logged, audited or reported.
 */
export interface UsersJsonRow {
  email: string;
  name: string;
  institution: string;
  sub: string;
}

/** The attributes users.json fills; every other attribute of a user is left alone. */
const MAPPED_ATTRIBUTES = ['institution', 'sub'] as const;

const text = (max: number) =>
  z.optional(z.string({ error: 'must be a string' }).check(z.trim(), z.maxLength(max)));

const ImportRow = z.object({
  email: z.pipe(
    z
      .string({
        error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string'),
      })
      .check(z.trim()),
    z.email().check(z.maxLength(254)),
  ),
  name: text(200),
  institution: text(1024),
  sub: text(1024),
  // A wrong one fails like any other field, in words that never echo the value.
  refresh_token: z.optional(
    z.nullable(
      z.string({ error: 'must be a string or null' }).check(
        z.refine((value) => value === '' || isImportableRefreshToken(value), {
          error: 'must be 16 to 512 printable ASCII characters',
        }),
      ),
    ),
  ),
});

export interface ImportFailure {
  /** Index of the row in the array, from 0. */
  row: number;
  email?: string;
  reason: string;
}

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
  failed: ImportFailure[];
  /** Rows whose `sub` was kept as an attribute only: no USERS_IMPORT_PROVIDER to link it to. */
  unlinkedSubs: number;
  /** Imported refresh credentials: new values stored, same values kept, old ones ended. */
  refreshTokens: { stored: number; kept: number; revoked: number };
}

export interface ImportOptions {
  /** Called after each row, done or failed, with its index. */
  onProgress?: (row: number) => void;
  meta?: RequestMeta;
}

const invalidFile = (message: string) => new GatehouseError('record_invalid', message);

/** The rows of a users.json file's text; a file that is not a JSON array is refused whole. */
export const parseUsersJson = (content: string): unknown[] => {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    throw invalidFile('users.json: is not valid JSON.');
  }
  if (!Array.isArray(value)) throw invalidFile('users.json: must be a JSON array of users.');
  return value;
};

/** `name` and the mapped attributes as the row wants them; a field the row lacks is kept. */
const wanted = (row: z.infer<typeof ImportRow>, current: UserRecord | null) => {
  const name = row.name === undefined ? (current?.name ?? null) : row.name || null;
  const attributes = { ...current?.attributes };
  for (const key of MAPPED_ATTRIBUTES) {
    const value = row[key];
    if (value === undefined) continue;
    // An empty value means "none", so export -> import round-trips users without one.
    if (value) attributes[key] = value;
    else delete attributes[key];
  }
  return { name, attributes };
};

const sameAttributes = (a: Record<string, string>, b: Record<string, string>) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
};

const isObject = (row: unknown): row is Record<string, unknown> =>
  typeof row === 'object' && row !== null && !Array.isArray(row);

const emailOf = (row: unknown): string | undefined =>
  isObject(row) && typeof row.email === 'string' ? row.email.trim() : undefined;

/**
 * Imports users.json rows: creates the users it lacks (viewer, active, human, no password,
 * linked to the import provider's `sub`), updates the name and mapped attributes of those it
 * has (by email, case-insensitively) and links their `sub`, never their role, status or
 * password; then makes the row's refresh_token the user's imported refresh credential (or
 * ends the one a row without it leaves). Idempotent: a second run finds every row unchanged.
 * A bad row is reported and skipped; a failure of the store itself stops the import.
 */
export const importUsers = async (
  deps: CoreDeps,
  actor: Actor,
  rows: readonly unknown[],
  options: ImportOptions = {},
): Promise<ImportSummary> => {
  const meta = options.meta ?? noRequest;
  const provider = deps.config.usersImportProvider;
  const summary: ImportSummary = {
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: [],
    unlinkedSubs: 0,
    refreshTokens: { stored: 0, kept: 0, revoked: 0 },
  };
  const firstRowOf = new Map<string, number>();

  const importRow = async (raw: unknown, index: number): Promise<void> => {
    const fail = (reason: string) => {
      const email = emailOf(raw);
      summary.failed.push({ row: index, ...(email ? { email } : {}), reason });
    };
    if (!isObject(raw)) return fail('must be an object');
    const parsed = ImportRow.safeParse(raw);
    if (!parsed.success) return fail(describeIssue(parsed.error));
    const row = parsed.data;
    const key = emailKey(row.email);
    const first = firstRowOf.get(key);
    if (first !== undefined) return fail(`email: duplicates row ${first}`);
    firstRowOf.set(key, index);
    const identity = provider && row.sub ? { provider, subject: row.sub } : null;
    const token = row.refresh_token || null;

    try {
      const existing = await deps.store.findUserByEmail(key);
      // Every refusal before any write, so a failed row changes nothing.
      await assertLinkable(deps, existing, identity);
      await assertImportableRefreshToken(deps, existing, token);
      const { name, attributes } = wanted(row, existing);
      let outcome: 'created' | 'updated' | 'unchanged' = 'unchanged';
      let userId: string;
      if (!existing) {
        const user = await createUser(
          deps,
          actor,
          {
            email: row.email,
            ...(name === null ? {} : { name }),
            role: 'viewer',
            type: 'human',
            // Pre-linked users are active whatever the provider does with new ones.
            status: 'active',
            attributes,
            ...(identity ? { identities: [identity] } : {}),
          },
          meta,
        );
        userId = user.id;
        outcome = 'created';
      } else {
        userId = existing.id;
        const nameChanged = name !== existing.name;
        const attributesChanged = !sameAttributes(attributes, existing.attributes);
        if (nameChanged || attributesChanged) {
          await updateUser(
            deps,
            actor,
            existing.id,
            { ...(nameChanged ? { name } : {}), ...(attributesChanged ? { attributes } : {}) },
            meta,
          );
          outcome = 'updated';
        }
        if (identity && (await linkIdentity(deps, actor, existing.id, identity, meta))) {
          outcome = 'updated';
        }
      }
      const user = await deps.store.getUser(userId);
      if (!user) throw new GatehouseError('conflict', 'The user was deleted meanwhile.');
      const change = await setImportedRefreshToken(deps, user, token);
      if (change.stored || change.revoked > 0) {
        await recordAudit(deps, meta, {
          action: 'session.import',
          ...auditActor(actor),
          targetId: user.id,
          // Counts and the session's id: never the value, not even its hash.
          detail: {
            stored: change.stored ? 1 : 0,
            revoked: change.revoked,
            ...(change.sid ? { sid: change.sid } : {}),
            ...operatorDetail(actor),
          },
        });
        if (outcome === 'unchanged') outcome = 'updated';
      }
      summary[outcome]++;
      if (row.sub && !provider) summary.unlinkedSubs++;
      if (change.stored) summary.refreshTokens.stored++;
      else if (change.sid) summary.refreshTokens.kept++;
      summary.refreshTokens.revoked += change.revoked;
    } catch (error) {
      // A refusal (a conflict with a concurrent change, a policy) fails this row only.
      // A database out stops the import (it can be run again), never fails rows one by one.
      if (!isGatehouseError(error) || error.code === 'internal' || error.code === 'unavailable') {
        throw error;
      }
      fail(error.message);
    }
  };

  for (const [index, raw] of rows.entries()) {
    await importRow(raw, index);
    options.onProgress?.(index);
  }
  return summary;
};

/** A user as a users.json row; empty strings where the user has no value, as ServiceX writes. */
export const toUsersJsonRow = (user: PublicUser): UsersJsonRow => ({
  email: user.email,
  name: user.name ?? '',
  institution: user.attributes.institution ?? '',
  sub: user.attributes.sub ?? '',
});

const rows = (count: number) => `${count} row${count === 1 ? '' : 's'}`;

/** One line for logs and the CLI: counts only, never a value from the file. */
export const describeImportSummary = (summary: ImportSummary): string => {
  const { stored, kept, revoked } = summary.refreshTokens;
  const line =
    `${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
    `${summary.failed.length} failed; refresh_token: ${stored} stored, ${kept} kept, ` +
    `${revoked} revoked`;
  return summary.unlinkedSubs === 0
    ? line
    : `${line}; sub not linked in ${rows(summary.unlinkedSubs)} ` +
        '(no identity provider to link it to: set USERS_IMPORT_PROVIDER)';
};
