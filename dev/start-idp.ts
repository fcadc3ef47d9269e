import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/**
 * `npm run start:idp`: a demo OpenID Provider (`oidc-provider`, with its development login
 * form) on 127.0.0.1:IDP_PORT (3001), then `npm start` with IDENTITY_PROVIDERS pointing at it.
 * Any login name and password sign in; `demo@example.com` is the demo user.
 */
const port = Number(process.env.PORT || 3000);
const idpPort = Number(process.env.IDP_PORT || 3001);
const issuer = `http://127.0.0.1:${idpPort}`;
const clientId = 'gatehouse-demo';
// A demo secret on a loopback-only demo provider, never a real credential.
const clientSecret = 'demo-provider-client-secret';

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [`http://localhost:${port}/auth/federated/demo/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'demo-1', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: ['demo-provider-cookie-key'] },
  // Whoever signs in is `login@example.com` (or the address typed), verified, in `demo`.
  findAccount: (_ctx: unknown, login: string) => ({
    accountId: login,
    claims: async () => ({
      sub: login,
      email: login.includes('@') ? login : `${login}@example.com`,
      email_verified: true,
      name: login === 'demo@example.com' ? 'Demo User' : login,
      groups: ['demo'],
    }),
  }),
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  ttl: {
    AuthorizationCode: 60,
    AccessToken: 600,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
});
const server = createServer(provider.callback());
await new Promise<void>((done) => server.listen(idpPort, '127.0.0.1', done));

process.env.IDENTITY_PROVIDERS ||= JSON.stringify([
  {
    id: 'demo',
    name: 'Demo provider',
    issuer,
    client_id: clientId,
    client_secret: clientSecret,
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { groups: 'groups' },
  },
]);
process.stdout.write(
  [
    '',
    `Demo OpenID Provider at ${issuer} (sign in as demo@example.com, any password)`,
    `  Try it: http://localhost:${port}/auth/federated/demo?return_to=/console`,
    '',
  ].join('\n'),
);
// The ordinary `npm start`, with the provider set.
await import('./start');
