import { loadConfig } from '../src/core/shared/config';
import { describeImportSummary } from '../src/core/users/user-import';
import { startLocalStack } from './local-stack';

/** `npm start`: the whole service on this machine, data kept under GATEHOUSE_DATA_DIR (.data). */
const main = async () => {
  // Lambda runs Node 22; the SDK's notice about a Node 20 laptop is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = process.env.GATEHOUSE_DATA_DIR || '.data';
  const port = Number(process.env.PORT || 3000);
  const stack = await startLocalStack({
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

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping…\n');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
};

main().catch((error: unknown) => {
  process.stderr.write(
    `\nGatehouse could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
