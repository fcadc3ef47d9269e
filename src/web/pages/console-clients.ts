import {
  createClient,
  GRANT_TYPES,
  listClients,
  type PublicClient,
} from '../../core/oauth/clients';
import type { HttpResult } from '../../http/responses';
import { CreateClientBody } from '../../http/schemas';
import { checked, given } from '../forms';
import { html } from '../html';
import { alert, csrfField, field, layout, onceField } from '../layout';
import { assertFirstPost, type PageRequest, page } from '../page-handler';
import { stackTable } from '../tables';
import { type ConsoleActor, consoleAction, formError, pager, timeTag } from './console-shared';

const PAGE_SIZE = 50;

/** One URI a line: how a person types a list into a textarea. */
const lines = (form: URLSearchParams, name: string): string[] =>
  (form.get(name) ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

const uriList = (uris: string[]) =>
  uris.length ? html`${uris.map((uri) => html`<code>${uri}</code><br>`)}` : '-';

const clientsTable = (clients: PublicClient[]) =>
  stackTable({
    caption: 'OAuth clients',
    columns: [
      { label: 'Name', width: 's' },
      { label: 'Client ID', width: 'm' },
      { label: 'Kind', width: 's' },
      { label: 'Grant types', width: 'm' },
      { label: 'Redirect URIs' },
      { label: 'Post-logout redirect URIs' },
      { label: 'Created', width: 's' },
    ],
    rows: clients.map((client) => [
      client.name,
      html`<code>${client.client_id}</code>`,
      html`${client.confidential ? 'confidential' : 'public'}${client.first_party ? ', first-party' : ''}`,
      client.grant_types.join(', '),
      uriList(client.redirect_uris),
      uriList(client.post_logout_redirect_uris),
      timeTag(client.created_at),
    ]),
    empty: 'No clients yet.',
  });

const textarea = (label: string, name: string, value: string | null, hint: string) =>
  html`<label for="field-${name}">${label}</label>
<textarea id="field-${name}" name="${name}" rows="2" aria-describedby="field-${name}-hint">${value ?? ''}</textarea>
<small id="field-${name}-hint">${hint}</small>`;

const registerForm = (request: PageRequest) => {
  const { form } = request;
  return html`<h2>Register a client</h2>
<form method="post" action="/console/clients">
  ${csrfField(request.csrf)}
  ${onceField()}
  ${field('Name', 'name', { required: true, value: form.get('name') })}
  <fieldset><legend>Grant types</legend>${GRANT_TYPES.map(
    (grant) =>
      html`<label><input type="checkbox" name="grant_types" value="${grant}"${form.getAll('grant_types').includes(grant) ? html` checked` : ''}> ${grant}</label>`,
  )}</fieldset>
  ${textarea('Redirect URIs', 'redirect_uris', form.get('redirect_uris'), 'One exact URI a line: https, or http on localhost.')}
  ${textarea('Post-logout redirect URIs', 'post_logout_redirect_uris', form.get('post_logout_redirect_uris'), 'Where /oauth/logout may send the browser back; one exact URI a line.')}
  <label><input type="checkbox" name="confidential" value="1"${form.get('confidential') ? html` checked` : ''}> Confidential (keeps a secret)</label>
  <label><input type="checkbox" name="first_party" value="1"${form.get('first_party') ? html` checked` : ''}> First-party (no consent page)</label>
  <button type="submit">Register</button>
</form>`;
};

/** The clients page; `problem` is a refused registration, shown above its form. */
const clientsPage = async (
  request: PageRequest,
  actor: ConsoleActor,
  problem: { message: string; status: number } | null = null,
): Promise<HttpResult> => {
  const cursor = given(request.query, 'cursor');
  const found = await listClients(request.deps, {
    limit: PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
  });
  const canRegister = request.deps.scopes[actor.user.role].includes('clients:write');
  const body = html`${clientsTable(found.clients)}
${pager('/console/clients', {}, cursor, found.next_cursor ?? undefined)}
${alert(problem?.message)}
${canRegister ? registerForm(request) : ''}`;
  return page(
    problem?.status ?? 200,
    layout({
      title: 'Clients',
      body,
      user: actor.user,
      csrf: request.csrf,
      path: request.path,
      wide: true,
    }),
  );
};

/** `GET /console/clients`: the registered OAuth clients (clients:read). */
export const clientsListPage = consoleAction('clients:read', (request, actor) =>
  clientsPage(request, actor),
);

/** `POST /console/clients` (clients:write): registers one and shows its secret once. */
export const clientsCreateSubmit = consoleAction('clients:write', async (request, actor) => {
  const { form } = request;
  await assertFirstPost(request);
  let created: Awaited<ReturnType<typeof createClient>>;
  try {
    const redirects = lines(form, 'redirect_uris');
    const postLogout = lines(form, 'post_logout_redirect_uris');
    const input = checked(CreateClientBody, {
      name: form.get('name') ?? '',
      grant_types: form.getAll('grant_types'),
      confidential: form.get('confidential') === '1',
      first_party: form.get('first_party') === '1',
      ...(redirects.length ? { redirect_uris: redirects } : {}),
      ...(postLogout.length ? { post_logout_redirect_uris: postLogout } : {}),
    });
    created = await createClient(request.deps, actor, input, request.meta);
  } catch (error) {
    const found = formError(error, ['record_invalid']);
    if (!found) throw error;
    return clientsPage(request, actor, found);
  }
  const secret = created.client_secret
    ? html`<p>Its secret, shown only now: <code>${created.client_secret}</code></p>`
    : '';
  const body = html`<p role="status">Registered <strong>${created.name}</strong> as <code>${created.client_id}</code>.</p>
${secret}
<p><a href="/console/clients">Back to the clients</a></p>`;
  return page(
    201,
    layout({
      title: 'Client registered',
      body,
      user: actor.user,
      csrf: request.csrf,
      path: request.path,
    }),
  );
});
