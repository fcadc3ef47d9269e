import { findPublicClient } from '../../core/oauth/client-lookup';
import { authenticateClient, type ClientRecord } from '../../core/oauth/clients';
import { InvalidScopeError } from '../../core/oauth/oauth-scopes';
import type { Action, ActionRequest } from '../handler';
import { OAuthProtocolError } from '../oauth-errors';
import { json } from '../responses';
import type { TokenRequestForm } from '../schemas';
import { clientCredentials, clientFailed } from './oauth';
import { grantHandlers } from './token-grants';

/** Step 1, client authentication: authenticated when confidential, named when public. */
const identifyClient = async (
  request: ActionRequest,
  form: TokenRequestForm,
): Promise<ClientRecord | null> => {
  const credentials = clientCredentials(request, form);
  if (credentials) {
    const client = await authenticateClient(request.deps, credentials.id, credentials.secret);
    if (!client) throw clientFailed();
    return client;
  }
  if (!form.client_id) return null;
  // A confidential client must prove itself; a public one only names itself.
  const client = await findPublicClient(request.deps, form.client_id);
  if (!client) throw clientFailed();
  return client;
};

const isGrantType = (value: string): value is keyof typeof grantHandlers =>
  Object.hasOwn(grantHandlers, value);

/** Step 2, grant dispatch: the grant type's handler; a scope refusal is `invalid_scope`. */
const dispatchGrant = async (
  request: ActionRequest,
  form: TokenRequestForm,
  client: ClientRecord | null,
): Promise<object> => {
  if (!isGrantType(form.grant_type)) {
    throw new OAuthProtocolError(
      'unsupported_grant_type',
      `Unknown grant_type ${form.grant_type}.`,
    );
  }
  try {
    return await grantHandlers[form.grant_type]({ request, form, client });
  } catch (error) {
    if (error instanceof InvalidScopeError) {
      throw new OAuthProtocolError('invalid_scope', error.message);
    }
    throw error;
  }
};

/**
 * The token endpoint (RFC 6749 §3.2): client authentication, grant dispatch, response. Errors
 * are answered by the pipeline's error middleware, in RFC 6749's shape.
 */
export const tokenAction: Action = async (request) => {
  const form = request.body as TokenRequestForm;
  // CORS for single-page apps: allowed origins, then the client's redirect origins once it is
  // known, may read the answer, a refusal included.
  request.shareWith(request.deps.config.allowedRedirectOrigins);
  const client = await identifyClient(request, form);
  if (request.origin && client) {
    request.shareWith(client.redirectUris.map((uri) => new URL(uri).origin));
  }
  // Step 3, response: never cached (RFC 6749 §5.1).
  return json(200, await dispatchGrant(request, form, client), { pragma: 'no-cache' });
};
