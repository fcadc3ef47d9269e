import { MFA_GRANT_TYPE } from '../../core/oauth/mfa-grant';
import { OPENID_SCOPES } from '../../core/oauth/oauth-scopes';
import { SCOPE_CLAIMS } from '../../core/oauth/userinfo-claims';
import { publishedJwks } from '../../core/tokens/signing-keys';
import type { Action } from '../handler';
import { openApiDocument } from '../openapi';
import { json } from '../responses';

// Public metadata may be cached briefly; verifiers refetch on an unknown `kid` anyway. Any
// origin may read it (contract, CORS: /.well-known/*): a browser app verifies ID tokens too.
const cacheable = { 'cache-control': 'public, max-age=300' };
const wellKnown = { ...cacheable, 'access-control-allow-origin': '*' };

export const jwks: Action = async ({ deps }) => {
  return json(200, await publishedJwks(deps), wellKnown);
};

/** ID token claims beside the user's (OIDC Core §2), and the user's by scope. */
const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'at_hash',
  'azp',
  'amr',
  ...Object.values(SCOPE_CLAIMS).flat(),
];

/**
 * OpenID Connect Discovery 1.0. Invariant: it advertises only what is built, and each item is
 * exercised by test/e2e/discovery-truth.test.ts; what is not built is said `false` or left out.
 */
export const openIdConfiguration: Action = async ({ deps }) => {
  const issuer = deps.config.issuerUrl;
  return json(
    200,
    {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      userinfo_endpoint: `${issuer}/oauth/userinfo`,
      end_session_endpoint: `${issuer}/oauth/logout`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'password',
        MFA_GRANT_TYPE,
      ],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: [...new Set([...OPENID_SCOPES, ...Object.values(deps.scopes).flat()])],
      claims_supported: CLAIMS_SUPPORTED,
      prompt_values_supported: ['none', 'login', 'consent'],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    },
    wellKnown,
  );
};

let document: ReturnType<typeof openApiDocument> | undefined;

export const openApi: Action = async ({ deps }) => {
  document ??= openApiDocument(deps.config.issuerUrl);
  return json(200, document, cacheable);
};
