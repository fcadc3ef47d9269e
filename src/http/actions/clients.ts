import { createClient, deleteClient, listClients } from '../../core/oauth/clients';
import { type Action, requireActor } from '../handler';
import { json, noContent } from '../responses';
import type { CreateClientBody, ListClientsQuery } from '../schemas';

export const listClientsAction: Action = async (request) => {
  await requireActor(request, { readOnly: true });
  return json(200, await listClients(request.deps, request.query as ListClientsQuery));
};

export const createClientAction: Action = async (request) => {
  const actor = await requireActor(request);
  const created = await createClient(
    request.deps,
    actor,
    request.body as CreateClientBody,
    request.meta,
  );
  return json(201, created);
};

export const deleteClientAction: Action = async (request) => {
  const actor = await requireActor(request);
  await deleteClient(request.deps, actor, request.pathParameters.client_id as string, request.meta);
  return noContent();
};
