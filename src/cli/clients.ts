import { type Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { noRequest } from '../core/audit/audit';
import { findClient } from '../core/oauth/client-lookup';
import {
  createClient,
  deleteClient,
  GRANT_TYPES,
  type GrantType,
  ID_TOKEN_ALGS,
  listClients,
  type PublicClient,
} from '../core/oauth/clients';
import { GatehouseError } from '../core/shared/errors';
import { ROLES, type Role } from '../core/users/roles';
import { updateUser } from '../core/users/user-management';
import { CreateClientBody, ListClientsQuery } from '../http/schemas';
import {
  type CliContext,
  check,
  collect,
  examples,
  OPERATOR,
  positiveLimit,
  showListing,
} from './commands';
import { usageError } from './exit-codes';
import { formatFields, formatTable, safe } from './output';

const API_KEY_NOTE =
  '\nWith REQUIRE_API_KEY=1 every call to the HTTP API (but discovery) names its app in x-api-key,\na client id: the first client has to be made here.\n';

/** `--grant a b`, `--grant a --grant b` and `--grant a,b` alike. */
const collectGrants = (value: string, previous: GrantType[] | undefined): GrantType[] => {
  const grants = value.split(',').map((grant) => grant.trim());
  const unknown = grants.find((grant) => !(GRANT_TYPES as readonly string[]).includes(grant));
  if (unknown !== undefined) {
    throw new InvalidArgumentError(`expected one of ${GRANT_TYPES.join(', ')}.`);
  }
  return [...(previous ?? []), ...(grants as GrantType[])];
};

const kindOf = (client: PublicClient) =>
  `${client.confidential ? 'confidential' : 'public'}${client.first_party ? ', first-party' : ''}`;

const formatClient = (client: PublicClient, serviceRole?: Role): string => {
  const serviceUser =
    client.user_id === null
      ? '-'
      : `${client.user_id}${serviceRole ? ` (${serviceRole}; change it with users set-role)` : ''}`;
  return formatFields([
    ['client_id', client.client_id],
    ['name', client.name],
    ['kind', kindOf(client)],
    ['grant types', client.grant_types.join(', ')],
    ['redirect URIs', client.redirect_uris.join(', ') || '-'],
    ['logout URIs', client.post_logout_redirect_uris.join(', ') || '-'],
    ['service user', serviceUser],
    ['ID token alg', client.id_token_signed_response_alg],
    ['created', client.created_at],
  ]);
};

const formatClientTable = (clients: PublicClient[]): string => {
  if (clients.length === 0) return 'No clients.';
  return formatTable(
    ['CLIENT_ID', 'KIND', 'GRANT_TYPES', 'SERVICE_USER', 'NAME'],
    clients.map((c) => [c.client_id, kindOf(c), c.grant_types.join(','), c.user_id ?? '-', c.name]),
  );
};

/** Adds `clients` and its subcommands to the program, whose settings (exit override, help) they inherit. */
export const addClientsCommand = (program: Command, context: CliContext) => {
  const clients = program
    .command('clients')
    .description(
      'Manage OAuth clients (the apps that call Gatehouse) directly in the tables, as an operator.',
    )
    .addHelpText('after', API_KEY_NOTE);

  clients
    .command('create')
    .description(
      'Register a client. A confidential one gets a secret, shown once; one with client_credentials gets a machine user (its service account) whose role bounds its tokens.',
    )
    .requiredOption('--name <name>', 'what the client is called (1 to 100 characters)')
    .requiredOption(
      '--grant <grant...>',
      `grant types, repeatable or comma-separated: ${GRANT_TYPES.join(', ')}`,
      collectGrants,
    )
    .option(
      '--redirect-uri <uri...>',
      'an exact redirect URI (https, or http on localhost); repeatable; authorization_code needs one',
      collect,
    )
    .option(
      '--post-logout-redirect-uri <uri...>',
      'where RP-initiated logout (/oauth/logout) may send the browser back, exact; repeatable',
      collect,
    )
    .option('--confidential', 'the client keeps a secret (the default)')
    .addOption(
      new Option('--public', 'the client cannot keep a secret (a SPA, a native app)').conflicts(
        'confidential',
      ),
    )
    .option('--first-party', 'an app of your own (needed for the password grant)')
    .addOption(
      new Option(
        '--id-token-alg <alg>',
        'the algorithm of its OpenID Connect ID tokens (id_token_signed_response_alg; default RS256)',
      ).choices(ID_TOKEN_ALGS),
    )
    .addOption(
      new Option(
        '--service-role <role>',
        "the service account's role, with client_credentials (default: viewer)",
      ).choices(ROLES),
    )
    .addHelpText(
      'after',
      `${examples(
        'gatehouse clients create --name "nightly export" --grant client_credentials --service-role editor',
        'gatehouse clients create --name "web app" --public --grant authorization_code,refresh_token --redirect-uri https://app.example.com/callback',
        'gatehouse clients create --name "my app" --grant authorization_code --redirect-uri http://localhost:5173/cb --json',
      )}${API_KEY_NOTE}`,
    )
    .action(async (options) => {
      const serviceRole = options.serviceRole;
      if (serviceRole !== undefined && !options.grant.includes('client_credentials')) {
        throw usageError('--service-role is for a client with the client_credentials grant.');
      }
      const input = check(CreateClientBody, {
        name: options.name,
        redirect_uris: options.redirectUri,
        post_logout_redirect_uris: options.postLogoutRedirectUri,
        grant_types: options.grant,
        confidential: options.public !== true,
        first_party: options.firstParty,
        id_token_signed_response_alg: options.idTokenAlg,
      });
      const { deps, out } = await context.open();
      const { client_secret: secret, ...client } = await createClient(
        deps,
        OPERATOR,
        input,
        noRequest,
      );
      if (client.user_id !== null && serviceRole !== undefined && serviceRole !== 'viewer') {
        try {
          await updateUser(deps, OPERATOR, client.user_id, { role: serviceRole }, noRequest);
        } catch (error) {
          // Its secret would never be shown: a client nobody can use is not left behind.
          await deleteClient(deps, OPERATOR, client.client_id, noRequest);
          throw error;
        }
      }
      const role = client.user_id === null ? undefined : (serviceRole ?? 'viewer');
      out.result(
        () =>
          [
            `Created client ${safe(client.name)}.`,
            '',
            formatClient(client, role),
            ...(secret === undefined
              ? []
              : [
                  '',
                  'Client secret (shown this once: store it now, it cannot be shown again):',
                  secret,
                ]),
          ].join('\n'),
        { client: { ...client, ...(secret === undefined ? {} : { client_secret: secret }) } },
      );
    });

  clients
    .command('list')
    .description('List clients, newest first, a page at a time (or --all).')
    .option('--limit <n>', 'clients per page, 1 to 200 (default 50)', positiveLimit)
    .option('--cursor <cursor>', 'the next page, as the previous page gave it')
    .option('--all', 'every page, one after another')
    .addHelpText(
      'after',
      examples(
        'gatehouse clients list',
        'gatehouse clients list --all --json | jq -r ".clients[].client_id"',
      ),
    )
    .action(async (options) => {
      const query = check(ListClientsQuery, { limit: options.limit, cursor: options.cursor });
      const { deps, out } = await context.open();
      await showListing(out, 'clients', (page) => listClients(deps, page), formatClientTable, {
        ...query,
        all: options.all,
      });
    });

  clients
    .command('delete')
    .description(
      'Delete a client, and its service account: tokens issued to it stop working. No prompt.',
    )
    .argument('<client_id>', 'the client id (gh_...)')
    .addHelpText('after', examples('gatehouse clients delete gh_0123456789abcdefghijklm'))
    .action(async (clientId) => {
      const { deps, out } = await context.open();
      const client = await findClient(deps, clientId.trim());
      if (!client) throw new GatehouseError('not_found', `No client ${JSON.stringify(clientId)}.`);
      await deleteClient(deps, OPERATOR, client.clientId, noRequest);
      const serviceUser = client.serviceUserId;
      out.result(
        () =>
          `Deleted client ${safe(client.name)} (${client.clientId})${serviceUser ? ` and its service account ${serviceUser}` : ''}.`,
        { deleted: client.clientId, deleted_user: serviceUser },
      );
    });

  return clients;
};
