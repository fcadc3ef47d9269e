import { loadConfig } from '../src/core/shared/config';
import { describeImportSummary } from '../src/core/users/user-import';
import { type LocalStack, startLocalStack } from './local-stack';

/** Past this, a stop that still waits on something (a frozen child) is cut short. */
const STOP_DEADLINE_MS = 5000;

/** `npm start`: the whole service on this machine, data kept under GATEHOUSE_DATA_DIR (.data). */
const main = async () => {
  // Lambda runs Node 22; the SDK's notice about a Node 20 laptop is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let stack: LocalStack | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) {
      // A second Ctrl-C: leave now; the exit hook still kills DynamoDB Local.
      process.stdout.write('Stopping at once.\n');
      process.exit(130);
    }
    stopping = true;
    process.stdout.write('\nStopping… (Ctrl-C again to stop at once)\n');
    // Invariant: a stop ends the process within STOP_DEADLINE_MS, whatever hangs.
    setTimeout(() => {
      process.stderr.write('Gatehouse did not stop in time; leaving anyway.\n');
      process.exit(code || 1);
    }, STOP_DEADLINE_MS).unref();
    await stack?.stop();
    process.exit(code);
  };
  // Before anything starts: a signal during the start still stops what has started (the
  // exit hook kills DynamoDB Local, which runs in its own process group).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void stop(0));
  }
  const dataDir = process.env.GATEHOUSE_DATA_DIR || '.data';
  const port = Number(process.env.PORT || 3000);
  stack = await startLocalStack({
    dataDir,
    port,
    dynamoPort: Number(process.env.DYNAMODB_LOCAL_PORT || 8000),
    sesPort: Number(process.env.SES_LOCAL_PORT || 8005),
  });
  const config = loadConfig(process.env);
  const lines = [
    '',
    `Gatehouse is running at ${stack.url}`,
    `  DynamoDB Local:   ${stack.dynamoEndpoint} (data in ${dataDir}/)`,
    // The jar has no bind-address option (its -help): the operator must know it is exposed.
    `  Warning: DynamoDB Local listens on every interface: anyone on your network can reach port ${new URL(stack.dynamoEndpoint).port}; use a firewall or run on a trusted network.`,
    `  Mail (local SES): http://localhost:${new URL(stack.sesUrl).port} (every mail sent)`,
    `  Console:          ${stack.url}/console (sign in there as the owner)`,
    `  OpenAPI:          ${stack.url}/openapi.json`,
    `  Example API:      ${stack.url}/example/sessions (behind the authorizer, scopes per route)`,
    ...(config.sso ? [`  JWT SSO:          ${stack.url}/auth/sso?return_to=/`] : []),
    '',
  ];
  if (stack.owner.created) {
    lines.push(
      `Created the default owner: ${config.defaultOwner.email} (username ${config.defaultOwner.username})`,
    );
    if (stack.owner.generatedPassword) {
      lines.push(`  Password (shown this once, keep it): ${stack.owner.generatedPassword}`);
    }
  } else {
    lines.push(`Default owner: ${config.defaultOwner.email} (already exists; password unchanged)`);
  }
  if (stack.usersImport) {
    const summary = stack.usersImport;
    lines.push(`Imported ${process.env.USERS_IMPORT_FILE}: ${describeImportSummary(summary)}.`);
    for (const f of summary.failed) {
      lines.push(`  row ${f.row}${f.email === undefined ? '' : ` (${f.email})`}: ${f.reason}`);
    }
  }
  lines.push(
    '',
    'Try it:',
    `  curl -s ${stack.url}/auth/sign-in -H 'content-type: application/json' \\`,
    `    -d '{"login":"${config.defaultOwner.email}","password":"<password>"}'`,
    '',
    'Ctrl-C stops the service, DynamoDB Local and the SES emulator.',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!config.requireUserAuthentication) {
    process.stderr.write(
      `\n${'!'.repeat(78)}\n! REQUIRE_USER_AUTHENTICATION=0: requests without a token act as the default owner.\n! Never run like this anywhere but your own machine.\n${'!'.repeat(78)}\n\n`,
    );
  }

  void stack.gaveUp.then((reason) => {
    process.stderr.write(`\n${reason}\n`);
    return stop(1);
  });
};

main().catch((error: unknown) => {
  process.stderr.write(
    `\nGatehouse could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
