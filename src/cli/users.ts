import { readFile, writeFile } from 'node:fs/promises';
import { Argument, type Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import * as z from 'zod/mini';
import '../core/shared/validation';
import { noRequest } from '../core/audit/audit';
import type { CoreDeps } from '../core/shared/deps';
import { GatehouseError } from '../core/shared/errors';
import { showUser } from '../core/users/public-user';
import { ROLES } from '../core/users/roles';
import {
  describeImportSummary,
  importUsers,
  parseUsersJson,
  toUsersJsonRow,
} from '../core/users/user-import';
import { findUserByReference, ListUsersQuery, listUsers } from '../core/users/user-listing';
import {
  approveUser,
  createUser,
  deleteUser,
  rejectUser,
  resetPassword,
  updateUser,
} from '../core/users/user-management';
import { toPublicUser, type UserRecord } from '../core/users/users';
import { CreateUserBody, UpdateUserBody } from '../http/schemas';
import {
  type CliContext,
  check,
  collect,
  everyPage,
  examples,
  OPERATOR,
  type PageQuery,
  positiveLimit,
  showListing,
} from './commands';
import { CliError, EXIT, usageError } from './exit-codes';
import { formatImportSummary, formatUser, formatUserTable } from './output';
import { progressBar } from './progress';
import { addBackfillHintsCommand } from './users-hints';
import { addMfaResetCommand } from './users-mfa';

const AttributesInput = z.object({ attributes: UpdateUserBody.shape.attributes });

/** A user by id, email (anything with an '@') or username. */
const findUser = async (deps: CoreDeps, ref: string): Promise<UserRecord> => {
  const user = await findUserByReference(deps, ref);
  if (!user) throw new GatehouseError('not_found', `No user ${JSON.stringify(ref)}.`);
  return user;
};

/** `--attribute key=value`, repeatable; kept as pairs so no key can reach a prototype. */
const collectAttribute = (value: string, previous: [string, string][]): [string, string][] => {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('expected key=value.');
  // Zod drops such a key without a word; say so instead.
  if (value.slice(0, at) === '__proto__') throw new InvalidArgumentError('not an attribute name.');
  return [...previous, [value.slice(0, at), value.slice(at + 1)]];
};

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** The password of `--password` or `--password-stdin` (one line; its newline is not part of it). */
const givenPassword = async (options: {
  password?: string;
  passwordStdin?: true;
}): Promise<string | undefined> =>
  options.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : options.password;

const PASSWORD_HELP = 'the password (it stays in your shell history: prefer --password-stdin)';
const PASSWORD_STDIN_HELP = 'read the password from standard input (one line)';

const readImportFile = async (file: string): Promise<string> => {
  if (file === '-') return readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}.`,
      EXIT.refused,
    );
  }
};

/** Adds `users` and its subcommands to the program, whose settings (exit override, help) they inherit. */
export const addUsersCommand = (program: Command, context: CliContext) => {
  const users = program
    .command('users')
    .description(
      'Manage users directly in the tables, as an operator (any change an owner could make).',
    );
  const userArgument = () => new Argument('<user>', 'the user: an id, an email or a username');

  users
    .command('create')
    .description('Add a user. Humans need --email; machine users get a generated one.')
    .option('--email <email>', 'email address (unique, case-insensitive)')
    .option('--username <username>', 'username (unique, case-insensitive)')
    .option('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).default('viewer' as const))
    .addOption(
      new Option('--type <type>', 'kind of user')
        .choices(['human', 'machine'] as const)
        .default('human' as const),
    )
    .addOption(
      new Option('--status <status>', 'pending = an invitation awaiting approval')
        .choices(['active', 'pending'] as const)
        .default('active' as const),
    )
    .addOption(new Option('--password <password>', PASSWORD_HELP).conflicts('passwordStdin'))
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .option('--attribute <key=value>', 'an attribute; repeat for more', collectAttribute, [])
    .option('--institution <name>', 'the institution attribute (as users.json has it)')
    .option('--provider <id>', 'link a federated identity: its provider (jwt for JWT SSO)')
    .option('--sub <subject>', 'link a federated identity: its subject (with --provider)')
    .addHelpText(
      'after',
      examples(
        'gatehouse users create --email ann@example.com --name "Ann Lee" --role editor',
        'gatehouse users create --provider globus --sub 8d2f... --email ann@uchicago.edu --name "Ann Lee" --institution UChicago',
        'gatehouse users create --email cto@example.com --role admin --provider jwt --sub cto@example.com',
        'gatehouse users create --type machine --name "nightly job" --json',
      ),
    )
    .action(async (options) => {
      // A provider without a subject (or the reverse) names nobody: refuse it before anything.
      if ((options.provider === undefined) !== (options.sub === undefined)) {
        throw usageError('--provider and --sub go together: give both or neither.');
      }
      const password = await givenPassword(options);
      const body = check(CreateUserBody, {
        email: options.email,
        username: options.username,
        name: options.name,
        role: options.role,
        type: options.type,
        status: options.status,
        password,
        ...(options.provider || options.sub
          ? { identities: [{ provider: options.provider ?? '', subject: options.sub ?? '' }] }
          : {}),
      });
      const { attributes } = check(AttributesInput, {
        attributes: Object.fromEntries([
          ...options.attribute,
          ...(options.institution === undefined ? [] : [['institution', options.institution]]),
        ]),
      });
      const { deps, out } = await context.open();
      const user = await createUser(deps, OPERATOR, { ...body, attributes }, noRequest);
      const linked = user.identities.map((i) => `, linked to ${i.provider} ${i.subject}`).join('');
      out.result(() => `Created ${user.email}${linked}.\n\n${formatUser(user)}`, { user });
    });

  users
    .command('list')
    .description('List users, oldest first, a page at a time (or --all).')
    .option('--q <prefix>', 'case-insensitive prefix of email, username or name')
    .addOption(new Option('--role <role>', 'only this role').choices(ROLES))
    .addOption(
      new Option('--status <status>', 'only this status').choices([
        'active',
        'pending',
        'disabled',
        'unverified',
      ] as const),
    )
    .option('--limit <n>', 'users per page, 1 to 200 (default 50)', positiveLimit)
    .option('--cursor <cursor>', 'the next page, as the previous page gave it')
    .option('--all', 'every page, one after another')
    .addHelpText(
      'after',
      examples(
        'gatehouse users list --role admin',
        'gatehouse users list --q ann --json',
        'gatehouse users list --all --json | jq -r ".users[].email"',
      ),
    )
    .action(async (options) => {
      const query = check(ListUsersQuery, {
        q: options.q,
        role: options.role,
        status: options.status,
        cursor: options.cursor,
        limit: options.limit,
      });
      const { deps, out } = await context.open();
      const list = (page: PageQuery) => listUsers(deps, { ...query, ...page });
      await showListing(out, 'users', list, formatUserTable, { ...query, all: options.all });
    });

  users
    .command('get')
    .description('Show one user.')
    .addArgument(userArgument())
    .addHelpText(
      'after',
      examples('gatehouse users get ann@example.com', 'gatehouse users get 0b9c5e2a-... --json'),
    )
    .action(async (ref) => {
      const { deps, out } = await context.open();
      const user = await showUser(deps, await findUser(deps, ref));
      out.result(() => formatUser(user), { user });
    });

  users
    .command('update')
    .description("Change a user's profile or status (role: set-role; password: reset-password).")
    .addArgument(userArgument())
    .option('--name <name>', 'new display name')
    .addOption(new Option('--clear-name', 'remove the display name').conflicts('name'))
    .option('--username <username>', 'new username')
    .addOption(new Option('--clear-username', 'remove the username').conflicts('username'))
    .option('--email <email>', 'new email address (applies at once)')
    .addOption(
      new Option('--status <status>', 'disable or re-enable').choices([
        'active',
        'disabled',
      ] as const),
    )
    .option('--attribute <key=value>', 'set an attribute; repeat for more', collectAttribute, [])
    .option('--remove-attribute <key>', 'remove an attribute; repeat for more', collect, [])
    .addHelpText(
      'after',
      examples(
        'gatehouse users update ann@example.com --name "Ann Lee-Smith" --attribute institution=CERN',
        'gatehouse users update ann@example.com --status disabled',
      ),
    )
    .action(async (ref, options) => {
      const touchesAttributes = options.attribute.length > 0 || options.removeAttribute.length > 0;
      const given = [
        options.name,
        options.clearName,
        options.username,
        options.clearUsername,
        options.email,
        options.status,
      ].some((value) => value !== undefined);
      if (!given && !touchesAttributes) {
        throw usageError(
          'Nothing to change: give --name, --username, --email, --status, --attribute or --remove-attribute (and their --clear- forms).',
        );
      }
      const { deps, out } = await context.open();
      const before = await findUser(deps, ref);
      const attributes = touchesAttributes
        ? Object.fromEntries([
            ...Object.entries(before.attributes).filter(
              ([key]) => !options.removeAttribute.includes(key),
            ),
            ...options.attribute,
          ])
        : undefined;
      const changes = check(UpdateUserBody, {
        name: options.clearName ? null : options.name,
        username: options.clearUsername ? null : options.username,
        email: options.email,
        status: options.status,
        attributes,
      });
      const user = await updateUser(deps, OPERATOR, before.id, changes, noRequest);
      const changed = user.updated_at !== toPublicUser(before).updated_at;
      out.result(
        () =>
          `${changed ? 'Updated' : 'Nothing changed for'} ${user.email}.\n\n${formatUser(user)}`,
        { user },
      );
    });

  users
    .command('set-role')
    .description('Give a user another role. The last active owner cannot lose theirs.')
    .addArgument(userArgument())
    .addArgument(new Argument('<role>', 'the new role').choices(ROLES))
    .addHelpText('after', examples('gatehouse users set-role ann@example.com admin'))
    .action(async (ref, role) => {
      const { deps, out } = await context.open();
      const before = await findUser(deps, ref);
      const user = await updateUser(deps, OPERATOR, before.id, { role }, noRequest);
      out.result(
        () =>
          before.role === role
            ? `${user.email} already is ${role}.`
            : `${user.email} is now ${role} (was ${before.role}); their sessions have ended.`,
        { user },
      );
    });

  users
    .command('reset-password')
    .description(
      "Set a user's password, or generate one (printed once). Every session of the user ends.",
    )
    .addArgument(userArgument())
    .addOption(new Option('--password <password>', PASSWORD_HELP).conflicts('passwordStdin'))
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .addHelpText(
      'after',
      examples(
        'gatehouse users reset-password ann@example.com',
        'gatehouse users reset-password ann@example.com --password-stdin < new-password.txt',
      ),
    )
    .action(async (ref, options) => {
      const password = await givenPassword(options);
      const { deps, out } = await context.open();
      const user = await findUser(deps, ref);
      const { generatedPassword } = await resetPassword(
        deps,
        OPERATOR,
        user.id,
        password,
        noRequest,
      );
      out.result(
        () =>
          generatedPassword === undefined
            ? `Password of ${user.email} set; their sessions have ended.`
            : `New password of ${user.email} (shown this once, pass it on safely):\n${generatedPassword}`,
        generatedPassword === undefined ? {} : { password: generatedPassword },
      );
    });

  users
    .command('approve')
    .description('Approve a pending user: they become active.')
    .addArgument(userArgument())
    .addHelpText('after', examples('gatehouse users approve new.user@example.com'))
    .action(async (ref) => {
      const { deps, out } = await context.open();
      const user = await approveUser(deps, OPERATOR, (await findUser(deps, ref)).id, noRequest);
      out.result(() => `Approved ${user.email}: now active.`, { user });
    });

  users
    .command('reject')
    .description('Reject a pending user: their request is deleted.')
    .addArgument(userArgument())
    .addHelpText('after', examples('gatehouse users reject spam@example.com'))
    .action(async (ref) => {
      const { deps, out } = await context.open();
      const user = await findUser(deps, ref);
      await rejectUser(deps, OPERATOR, user.id, noRequest);
      out.result(() => `Rejected ${user.email}: the request is deleted.`, { rejected: user.id });
    });

  users
    .command('delete')
    .description('Delete a user and end their sessions. The last active owner cannot be deleted.')
    .addArgument(userArgument())
    .addHelpText('after', examples('gatehouse users delete ann@example.com'))
    .action(async (ref) => {
      const { deps, out } = await context.open();
      const user = await findUser(deps, ref);
      await deleteUser(deps, OPERATOR, user.id, noRequest);
      out.result(() => `Deleted ${user.email} (${user.id}).`, { deleted: user.id });
    });

  addMfaResetCommand(users, context, userArgument);
  addBackfillHintsCommand(users, context);

  users
    .command('import')
    .description(
      "Import a users.json file (ServiceX format): new users become active viewers, known ones get the file's name and attributes; sub links the import provider's identity and refresh_token becomes the user's imported refresh credential. Idempotent.",
    )
    .argument('<file>', 'the users.json file, or - for standard input')
    .addHelpText(
      'after',
      `${examples('gatehouse users import users.json', 'gatehouse users import - --json < users.json')}
Exit status 0 when every row was imported, 6 when some failed (listed in the summary).
Mapping: docs/cli.md.
`,
    )
    .action(async (file) => {
      const rows = parseUsersJson(await readImportFile(file));
      const { deps, out } = await context.open();
      const progress = progressBar('Importing', rows.length);
      let summary: Awaited<ReturnType<typeof importUsers>>;
      try {
        summary = await importUsers(deps, OPERATOR, rows, { onProgress: () => progress.tick() });
      } finally {
        progress.end();
      }
      const final = summary;
      out.result(
        () => formatImportSummary(final, `Imported ${file}: ${describeImportSummary(final)}.`),
        final,
      );
      if (final.failed.length > 0) context.setExitCode(EXIT.importFailures);
    });

  users
    .command('export')
    .description('Write human users as a users.json file (email, name, institution, sub).')
    .option(
      '--output <file>',
      'write to this file (created readable by you alone) instead of stdout',
    )
    .addHelpText(
      'after',
      examples('gatehouse users export > users.json', 'gatehouse users export --output users.json'),
    )
    .action(async (options) => {
      const { deps, out } = await context.open();
      const rows = (await everyPage('users', (page) => listUsers(deps, page), {}))
        .filter((user) => user.type === 'human')
        .map(toUsersJsonRow);
      const content = `${JSON.stringify(rows, null, 2)}\n`;
      if (!options.output) {
        process.stdout.write(content);
        return;
      }
      await writeFile(options.output, content, { mode: 0o600 });
      out.result(() => `Exported ${rows.length} users to ${options.output}.`, {
        exported: rows.length,
        output: options.output,
      });
    });

  return users;
};
