import { assertNotDelegated } from '../../core/account/account-access';
import {
  createApiToken,
  getApiToken,
  listApiTokens,
  renewApiToken,
  revokeApiToken,
} from '../../core/tokens/api-tokens';
import { type Action, type ActionRequest, requireActor, requirePrincipal } from '../handler';
import { json, noContent } from '../responses';
import type { CreateTokenBody, ListTokensQuery } from '../schemas';

const tokenId = (request: ActionRequest) => request.pathParameters.token_id as string;

/** Minting and renewing are refused to delegated callers (account-access.ts). */
const requireMinter = async (request: ActionRequest, what: string) => {
  const actor = await requireActor(request);
  await assertNotDelegated(request.deps, requirePrincipal(request), what);
  return actor;
};

export const listTokensAction: Action = async (request) =>
  json(
    200,
    await listApiTokens(
      request.deps,
      await requireActor(request, { readOnly: true }),
      request.query as ListTokensQuery,
    ),
  );

export const createTokenAction: Action = async (request) => {
  const actor = await requireMinter(request, 'Making an API token');
  const { scopes, sid, jti } = requirePrincipal(request);
  const created = await createApiToken(
    request.deps,
    actor,
    scopes,
    request.body as CreateTokenBody,
    request.meta,
    { sid, tokenId: jti || null },
  );
  return json(201, created);
};

export const getTokenAction: Action = async (request) =>
  json(
    200,
    await getApiToken(
      request.deps,
      await requireActor(request, { readOnly: true }),
      tokenId(request),
    ),
  );

export const revokeTokenAction: Action = async (request) => {
  await revokeApiToken(request.deps, await requireActor(request), tokenId(request), request.meta);
  return noContent();
};

export const renewTokenAction: Action = async (request) =>
  json(
    200,
    await renewApiToken(
      request.deps,
      await requireMinter(request, 'Renewing an API token'),
      tokenId(request),
      request.meta,
    ),
  );
