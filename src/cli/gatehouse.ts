import { readFileSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { isGatehouseError } from '../core/shared/errors';
import { addClientsCommand } from './clients';
import type { CliContext } from './commands';
import type { Connection } from './connection';
import { CliError, EXIT, type ExitCode, exitCodeOf } from './exit-codes';
import { createOutput } from './output';
import { addUsersCommand } from './users';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT']);

/** A network failure, however deep the SDK wrapped it. */
const isUnreachable = (error: unknown, depth = 0): boolean => {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  return (
    (typeof code === 'string' && UNREACHABLE.has(code)) ||
    isUnreachable(cause, depth + 1) ||
    (Array.isArray(errors) && errors.some((e) => isUnreachable(e, depth + 1)))
  );
};

/** One line that says what went wrong and, where it helps, what to do. */
const explain = (
  error: unknown,
  connection: Connection | undefined,
  where = 'DynamoDB',
): string => {
  if (isUnreachable(error)) {
    return connection?.endpoint
      ? `Cannot reach ${where}. Is \`npm start\` running? Otherwise point --endpoint at your DynamoDB Local, or use --stack for AWS.`
      : `Cannot reach ${where}.`;
  }
  if (error instanceof Error && error.name === 'ResourceNotFoundException') {
    return `${where}: a table is missing (${error.message}). Check the table names or --stack.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'Unexpected error.';
};

const exitCodeFor = (error: unknown): ExitCode => {
  if (isGatehouseError(error)) return exitCodeOf[error.code];
  if (error instanceof CliError) return error.exitCode;
  return EXIT.unexpected;
};

/** Runs `gatehouse ARGS...` and answers the exit status (docs/cli.md). */
export const main = async (args: string[]): Promise<ExitCode> => {
  // `gatehouse users list | head` closes the pipe before the end: the reader has what it wanted.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT.ok);
  });
  let connection: Connection | undefined;
  let where: string | undefined;
  let exitCode: ExitCode = EXIT.ok;
  const program = new Command('gatehouse')
    .description(
      'Operate Gatehouse: manage its users and OAuth clients directly in its DynamoDB tables.',
    )
    .version(version)
    .option('--endpoint <url>', 'DynamoDB Local URL (default: that of `npm start`, port 8000)')
    .option(
      '--stack <name>',
      'a deployed Gatehouse stack: its tables are looked up in CloudFormation',
    )
    .option('--region <region>', "AWS region of the stack or tables (default: the AWS SDK's)")
    .option('--users-table <name>', "Users table name (default: Users, or the stack's)")
    .option('--tokens-table <name>', 'Tokens table name')
    .option('--audit-table <name>', 'Audit table name')
    .option('--json', 'machine-readable output on stdout')
    .option('--debug', 'print the stack trace of an error')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    .exitOverride();

  const context: CliContext = {
    open: async () => {
      // Loaded on first use: the SDK is not needed for --help or a usage error.
      const { depsFor, describeConnection, resolveConnection } = await import('./connection');
      const out = createOutput(program.opts().json === true);
      connection = await resolveConnection(program.opts(), process.env);
      where = describeConnection(connection);
      return { out, deps: depsFor(connection, process.env, out.note) };
    },
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  addUsersCommand(program, context);
  addClientsCommand(program, context);
  program.addHelpText(
    'after',
    '\nExit status: 0 ok, 1 unexpected error, 2 usage error, 3 not found, 4 conflict, 5 refused or invalid input, 6 import with failed rows.\nEvery command takes --help. Reference: docs/cli.md.\n',
  );

  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message or the help.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    }
    process.stderr.write(`gatehouse: ${explain(error, connection, where)}\n`);
    if (args.includes('--debug') && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    return exitCodeFor(error);
  }
};
