import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/core/users/roles';
import { createUser } from '../../../src/core/users/user-management';
import type { UserRecord } from '../../../src/core/users/users';
import { clientsCreateSubmit, clientsListPage } from '../../../src/web/pages/console-clients';
import { testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';

const meta = { ip: null, userAgent: null };

const setUp = async () => {
  const deps = testDeps();
  const add = async (email: string, role: Role) => {
    const user = await createUser(deps, { kind: 'operator', name: 'test' }, { email, role }, meta);
    return (await deps.store.getUser(user.id)) as UserRecord;
  };
  return {
    deps,
    owner: await add('owner@example.com', 'owner'),
    admin: await add('admin@example.com', 'admin'),
  };
};

/** The registration form as a browser posts it: repeated checkboxes, URIs a line each. */
const registration = (fields: [string, string][]) => new URLSearchParams(fields);

describe('console clients page', () => {
  it('registers a client with post-logout redirect URIs and lists them', async () => {
    const { deps, owner, admin } = await setUp();
    const request = pageRequest(deps, { path: '/console/clients', user: owner, form: {} });
    request.form = registration([
      ['once', 'a-fresh-one-time-value-1'],
      ['name', 'RP <b>'],
      ['grant_types', 'authorization_code'],
      ['grant_types', 'refresh_token'],
      ['redirect_uris', 'https://rp.example.com/cb'],
      [
        'post_logout_redirect_uris',
        'https://rp.example.com/bye\r\nhttps://rp.example.com/bye2\r\n',
      ],
      ['first_party', '1'],
    ]);
    const created = await clientsCreateSubmit(request);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).toContain('RP &lt;b&gt;');
    const [client] = (await deps.store.listClients({ limit: 10 })).items;
    expect(client?.postLogoutRedirectUris).toEqual([
      'https://rp.example.com/bye',
      'https://rp.example.com/bye2',
    ]);
    // An admin reads the list (clients:read) but gets no registration form.
    const listed = await clientsListPage(
      pageRequest(deps, { path: '/console/clients', user: admin }),
    );
    expect(listed.statusCode).toBe(200);
    expect(listed.body).toContain('<code>https://rp.example.com/bye2</code>');
    expect(listed.body).not.toContain('action="/console/clients"');
    const ownerView = await clientsListPage(
      pageRequest(deps, { path: '/console/clients', user: owner }),
    );
    expect(ownerView.body).toContain('name="post_logout_redirect_uris"');
  });

  it('refuses a post-logout redirect URI the API would refuse, beside the form', async () => {
    const { deps, owner } = await setUp();
    const request = pageRequest(deps, { path: '/console/clients', user: owner, form: {} });
    request.form = registration([
      ['once', 'a-fresh-one-time-value-2'],
      ['name', 'RP'],
      ['grant_types', 'authorization_code'],
      ['redirect_uris', 'https://rp.example.com/cb'],
      ['post_logout_redirect_uris', 'http://rp.example.com/bye'],
    ]);
    const refused = await clientsCreateSubmit(request);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('post_logout_redirect_uris');
    expect((await deps.store.listClients({ limit: 10 })).items).toHaveLength(0);
  });

  it('is closed to a viewer', async () => {
    const { deps } = await setUp();
    const viewer = await createUser(
      deps,
      { kind: 'operator', name: 't' },
      { email: 'v@example.com', role: 'viewer' },
      meta,
    );
    const user = (await deps.store.getUser(viewer.id)) as UserRecord;
    await expect(
      clientsListPage(pageRequest(deps, { path: '/console/clients', user })),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
