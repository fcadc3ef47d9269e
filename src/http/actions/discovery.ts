import { publishedJwks } from '../../core/tokens/signing-keys';
import type { Action } from '../handler';
import { openApiDocument } from '../openapi';
import { json } from '../responses';

// Public metadata may be cached briefly; verifiers refetch on an unknown `kid` anyway.
const cacheable = { 'cache-control': 'public, max-age=300' };

export const jwks: Action = async ({ deps }) => {
  return json(200, await publishedJwks(deps), cacheable);
};

export const openIdConfiguration: Action = async ({ deps }) => {
  const issuer = deps.config.issuerUrl;
  return json(
    200,
    {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      userinfo_endpoint: `${issuer}/me`,
      response_types_supported: ['code'],
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'password',
      ],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: deps.scopes.owner,
    },
    cacheable,
  );
};

let document: ReturnType<typeof openApiDocument> | undefined;

export const openApi: Action = async ({ deps }) => {
  document ??= openApiDocument(deps.config.issuerUrl);
  return json(200, document, cacheable);
};
