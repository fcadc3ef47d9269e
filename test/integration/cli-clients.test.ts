import { describe, expect, it } from 'vitest';
import { toPublicClient } from '../../src/core/oauth/clients';
import { failedWith, json, usageErrorWith, useGatehouseCli } from '../support/cli';

const { gatehouse, store } = useGatehouseCli();

/** `gatehouse clients create --name <name> ...options`. */
const createClient = (name: string, ...options: string[]) =>
  gatehouse(['clients', 'create', '--name', name, ...options]);

/** `clients create ... --json`, which has to succeed: the client it made, secret and all. */
const createdClient = async (name: string, ...options: string[]) => {
  const run = await createClient(name, ...options, '--json');
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return json(run).client;
};

const machineUsers = async () =>
  (await store().listUsers({ limit: 200 })).items.filter((user) => user.type === 'machine');

/** Everything the tables hold that a secret could leak into. */
const everythingStored = async () =>
  JSON.stringify([
    await store().listUsers({ limit: 200 }),
    await store().listClients({ limit: 200 }),
    await store().listAuditEvents({ limit: 200 }),
  ]);

describe('gatehouse clients', () => {
  it('creates a client_credentials client whose service account gets --service-role, then deletes both', async () => {
    const machinesBefore = (await machineUsers()).length;
    const client = await createdClient(
      'nightly export',
      '--grant',
      'client_credentials',
      '--confidential',
      '--service-role',
      'editor',
    );
    expect(client).toMatchObject({
      client_id: expect.stringMatching(/^gh_/),
      client_secret: expect.stringMatching(/^scs_/),
      name: 'nightly export',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      confidential: true,
      first_party: false,
      user_id: expect.any(String),
    });
    const secret = client.client_secret as string;

    expect(await store().getUser(client.user_id)).toMatchObject({
      type: 'machine',
      role: 'editor',
    });
    expect(await machineUsers()).toHaveLength(machinesBefore + 1);
    const account = await gatehouse(['users', 'get', client.user_id, '--json']);
    expect(json(account).user).toMatchObject({ id: client.user_id, role: 'editor' });

    // The operator made it: no actor id, `detail.via` says so.
    const audit = (await store().listAuditEvents({ limit: 200, targetId: client.client_id })).items;
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'client.create',
        actor_id: null,
        detail: expect.objectContaining({ via: 'cli', service_user_id: client.user_id }),
      }),
    ]);

    const listed = await gatehouse(['clients', 'list', '--json']);
    expect(listed.code).toBe(0);
    const { client_secret: _shownOnce, ...publicClient } = client;
    expect(json(listed).clients).toContainEqual(publicClient);

    const deleted = await gatehouse(['clients', 'delete', client.client_id]);
    expect(deleted).toEqual({
      code: 0,
      stdout: `Deleted client nightly export (${client.client_id}) and its service account ${client.user_id}.\n`,
      stderr: '',
    });
    expect(await store().getClient(client.client_id)).toBeNull();
    expect(await store().getUser(client.user_id)).toBeNull();
    expect(await machineUsers()).toHaveLength(machinesBefore);

    // Shown once, in the create output: not in any other output, nor anywhere in the tables.
    for (const run of [account, listed, deleted]) expect(JSON.stringify(run)).not.toContain(secret);
    expect(await everythingStored()).not.toContain(secret);
  });

  it('creates a public code-flow client (no secret, no service account) and, in text, a secret shown once', async () => {
    const machinesBefore = (await machineUsers()).length;
    const client = await createdClient(
      'web app',
      '--public',
      '--grant',
      'authorization_code,refresh_token',
      '--redirect-uri',
      'https://app.example.com/callback',
      '--redirect-uri',
      'http://localhost:5173/callback',
      '--post-logout-redirect-uri',
      'https://app.example.com/signed-out',
    );
    expect(client).toEqual({
      client_id: expect.stringMatching(/^gh_/),
      name: 'web app',
      redirect_uris: ['https://app.example.com/callback', 'http://localhost:5173/callback'],
      post_logout_redirect_uris: ['https://app.example.com/signed-out'],
      grant_types: ['authorization_code', 'refresh_token'],
      confidential: false,
      first_party: false,
      user_id: null,
      id_token_signed_response_alg: 'RS256',
      created_at: expect.any(String),
    });
    expect(await machineUsers()).toHaveLength(machinesBefore);
    const esClient = await createdClient(
      'es app',
      '--public',
      '--grant',
      'authorization_code',
      '--redirect-uri',
      'https://es.example.com/callback',
      '--id-token-alg',
      'ES256',
    );
    expect(esClient).toMatchObject({ id_token_signed_response_alg: 'ES256' });

    const shown = await createClient(
      'backend',
      '--first-party',
      '--grant',
      'authorization_code',
      'password',
      '--redirect-uri',
      'https://backend.example.com/cb',
    );
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toMatch(/^Created client backend\.\n\nclient_id +gh_/);
    expect(shown.stdout).toContain('kind           confidential, first-party\n');
    expect(shown.stdout).toContain('grant types    authorization_code, password\n');
    expect(shown.stdout).toContain('service user   -\n');
    expect(shown.stdout).toContain('logout URIs    -\n');
    const [, secret] =
      /\nClient secret \(shown this once: store it now, it cannot be shown again\):\n(scs_\S+)\n$/.exec(
        shown.stdout,
      ) ?? [];
    expect(secret).toBeDefined();
    expect(shown.stdout.split(secret as string)).toHaveLength(2); // printed exactly once
    expect(await everythingStored()).not.toContain(secret);
  });

  it('refuses invalid input with the exit codes of the users commands, leaving no user behind', async () => {
    const machinesBefore = (await machineUsers()).length;
    const clientsBefore = (await store().listClients({ limit: 200 })).items.length;
    const [publicMachine, badUri, roleWithoutAccount, unknownGrant, noGrant, both] =
      await Promise.all([
        createClient('job', '--public', '--grant', 'client_credentials', '--service-role', 'admin'),
        createClient(
          'web',
          '--grant',
          'authorization_code',
          '--redirect-uri',
          'http://app.example.com/cb',
        ),
        createClient(
          'web',
          '--grant',
          'authorization_code',
          '--redirect-uri',
          'https://app.example.com/cb',
          '--service-role',
          'editor',
        ),
        createClient('x', '--grant', 'implicit'),
        createClient('x'),
        createClient('x', '--grant', 'password', '--public', '--confidential'),
      ]);
    expect(publicMachine).toEqual(
      failedWith(5, 'grant_types: client_credentials needs a confidential client.'),
    );
    expect(badUri).toEqual(
      failedWith(5, 'redirect_uris.0: must be https (or http on localhost), without a fragment'),
    );
    expect(roleWithoutAccount).toEqual(
      failedWith(2, '--service-role is for a client with the client_credentials grant.'),
    );
    expect(unknownGrant).toMatchObject(usageErrorWith("argument 'implicit' is invalid"));
    expect(noGrant).toMatchObject(
      usageErrorWith("required option '--grant <grant...>' not specified"),
    );
    expect(both).toMatchObject(
      usageErrorWith("option '--public' cannot be used with option '--confidential'"),
    );

    expect(await machineUsers()).toHaveLength(machinesBefore);
    expect((await store().listClients({ limit: 200 })).items).toHaveLength(clientsBefore);
  });

  it('lists clients newest first as a table, as JSON, a page at a time or --all', async () => {
    for (const name of ['list one', 'list two']) {
      const run = await createClient(name, '--grant', 'client_credentials');
      expect(run.code).toBe(0);
    }
    const stored = (await store().listClients({ limit: 200 })).items.map(toPublicClient);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    const [newest, second] = stored;

    const [table, all, firstPage] = await Promise.all([
      gatehouse(['clients', 'list']),
      gatehouse(['clients', 'list', '--all', '--limit', '1', '--json']),
      gatehouse(['clients', 'list', '--limit', '1', '--json']),
    ]);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CLIENT_ID +KIND +GRANT_TYPES +SERVICE_USER +NAME$/);
    expect(lines).toHaveLength(stored.length + 1);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${newest?.client_id} +confidential +client_credentials +${newest?.user_id} +list two$`,
      ),
    );

    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(json(all)).toEqual({ clients: stored, next_cursor: null });

    const page = json(firstPage);
    expect(page).toEqual({ clients: [newest], next_cursor: expect.any(String) });
    const [next, nextInText] = await Promise.all([
      gatehouse(['clients', 'list', '--limit', '1', '--cursor', page.next_cursor, '--json']),
      gatehouse(['clients', 'list', '--limit', '1']),
    ]);
    expect(json(next).clients).toEqual([second]);
    expect(nextInText.stderr).toBe(
      `More clients: add --cursor ${page.next_cursor} (or use --all).\n`,
    );
  });

  it('answers not found for an unknown client, leaving the others alone', async () => {
    const before = await store().listClients({ limit: 200 });
    const missing = await gatehouse(['clients', 'delete', 'gh_nosuchclient']);
    expect(missing).toEqual(failedWith(3, 'No client "gh_nosuchclient".'));
    expect(await store().listClients({ limit: 200 })).toEqual(before);

    const help = await gatehouse(['clients', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('With REQUIRE_API_KEY=1');
  });
});
