import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import Provider, { interactionPolicy, type KoaContext } from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import { type Tampering, testIdpKeys } from './oidc-idp-keys';

/**
 * A real OpenID Provider (`oidc-provider`, certified) for the federation tests, on 127.0.0.1
 * and a free port. Its one client is Gatehouse. Signing in needs no UI: each authorization
 * signs in the current user (`setUser`) and grants what is asked, so an HTTP client that
 * follows redirects (and keeps the provider's cookies, as a browser does) finishes the flow.
 * It can misbehave on request: deny the next sign-in, or re-sign the next ID token with its
 * own key and one claim wrong.
 */
export interface TestOidcIdp {
  issuer: string;
  /** The person the next sign-in at the provider is (claims the provider asserts). */
  setUser(claims: {
    sub: string;
    email?: string;
    email_verified?: boolean;
    name?: string;
    groups?: string[];
    [claim: string]: unknown;
  }): void;
  /** The next authorization answers error=access_denied. */
  denyNext(): void;
  /** The next ID token the token endpoint issues is re-signed with the provider's own key
   *  with that claim wrong (another audience, already expired, another nonce); `signature`:
   *  signed by another key under the provider's `kid`. */
  tamperNext(mode: Tampering): void;
  stop(): Promise<void>; // down: connections refused
  restart(): Promise<void>; // back on the same port
  /** An IDENTITY_PROVIDERS entry for it (a confidential client by default). */
  providerEntry(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Register the Gatehouse callback URL(s) once the stack's port is known (if needed). */
  allowRedirect(uri: string): void;
  /** The provider rotates its signing key: a new `kid` signs, and its JWKS lists both. */
  rotateKey(): Promise<void>;
}

export const TEST_IDP_CLIENT_ID = 'gatehouse-test';
const CLIENT_SECRET = 'test-provider-client-secret-0123456789';

/** Claims beyond the standard ones the provider releases (for attribute mapping tests). */
const EXTRA_CLAIMS = ['department', 'institution'];

type UserClaims = Parameters<TestOidcIdp['setUser']>[0];

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done((server.address() as AddressInfo).port));
  });

const close = (server: Server): Promise<void> =>
  new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });

export const startTestOidcIdp = async (
  options: {
    publicClient?: boolean;
    /** How the confidential client authenticates (default client_secret_basic). */
    clientAuth?: 'client_secret_basic' | 'client_secret_post';
    /** false: the ID token carries only protocol claims; email and profile are in userinfo. */
    claimsInIdToken?: boolean;
  } = {},
): Promise<TestOidcIdp> => {
  const publicClient = options.publicClient ?? false;
  const users = new Map<string, UserClaims>();
  let current: UserClaims = { sub: 'nobody', email: 'nobody@idp.test', email_verified: true };
  let denyNext = false;
  let tamper: Tampering | null = null;
  const redirectUris = new Set<string>();

  const keys = await testIdpKeys();

  // The client is served from the adapter, so redirect URIs added later take effect.
  const clientMetadata = () => ({
    client_id: TEST_IDP_CLIENT_ID,
    ...(publicClient
      ? { token_endpoint_auth_method: 'none' }
      : {
          client_secret: CLIENT_SECRET,
          token_endpoint_auth_method: options.clientAuth ?? 'client_secret_basic',
        }),
    redirect_uris: [...redirectUris],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  });
  class Adapter extends MemoryAdapter {
    constructor(private readonly model: string) {
      super(model);
    }
    override async find(id: string) {
      if (this.model === 'Client') return id === TEST_IDP_CLIENT_ID ? clientMetadata() : undefined;
      return super.find(id);
    }
  }

  // Every authorization signs in the current user afresh, unless this one just did.
  const policy = interactionPolicy.base();
  policy
    .get('login')
    .checks.push(
      new interactionPolicy.Check(
        'test_user',
        'the test provider signs in its current user',
        (ctx) =>
          ctx.oidc?.result?.login
            ? interactionPolicy.Check.NO_NEED_TO_PROMPT
            : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );

  const server = createServer((req, res) => handle(req, res));
  const port = await listen(server, 0);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    adapter: Adapter,
    jwks: { keys: [keys.initial] },
    cookies: { keys: ['test-idp-cookie-key-0123456789abcdef'] },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ ...(users.get(sub) ?? {}), sub }),
    }),
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      // `amr`: how the person signed in (RFC 8176), in the ID token when setUser gives it.
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', ...EXTRA_CLAIMS],
      groups: ['groups'],
    },
    // By default, as Google, Entra ID and Okta do: the ID token carries the scopes' claims.
    conformIdTokenClaims: options.claimsInIdToken === false,
    interactions: {
      policy,
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
  });
  // Misbehaviour on request, and a rotated key: on the answers of the real endpoints.
  provider.use(async (ctx: KoaContext, next) => {
    await next();
    if (ctx.path === '/jwks') {
      const jwks = ctx.body as { keys: JWK[] };
      jwks.keys = keys.published(jwks.keys);
    }
    const body =
      ctx.path === '/token' ? (ctx.body as { id_token?: string } | undefined) : undefined;
    if (body?.id_token && (tamper || keys.rotated())) {
      body.id_token = await keys.resign(body.id_token, tamper);
      tamper = null;
    }
  });
  const providerCallback = provider.callback();

  /** The interaction step, with no UI: sign in the current user, grant what is asked. */
  const interact = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (denyNext) {
      denyNext = false;
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The person said no.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (details.prompt.name === 'login') {
      users.set(current.sub, current);
      // An `amr` claim given to setUser is how this sign-in was made (RFC 8176), in the ID token.
      const amr = Array.isArray(current.amr) ? { amr: current.amr as string[] } : {};
      await provider.interactionFinished(req, res, { login: { accountId: current.sub, ...amr } });
      return;
    }
    const accountId = details.session?.accountId as string;
    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) as NonNullable<
          Awaited<ReturnType<typeof provider.Grant.find>>
        >)
      : new provider.Grant({ accountId, clientId: details.params.client_id as string });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    providerCallback(req, res);
  };

  let live: Server | null = server;
  return {
    issuer,
    setUser(claims) {
      current = { ...claims };
      users.set(claims.sub, current);
    },
    denyNext() {
      denyNext = true;
    },
    tamperNext(mode) {
      tamper = mode;
    },
    async stop() {
      if (live) await close(live);
      live = null;
    },
    async restart() {
      if (live) return;
      const again = createServer((req, res) => handle(req, res));
      await listen(again, port);
      live = again;
    },
    providerEntry(overrides = {}) {
      return {
        id: 'testidp',
        name: 'Test Provider',
        issuer,
        client_id: TEST_IDP_CLIENT_ID,
        ...(publicClient
          ? { token_endpoint_auth_method: 'none' }
          : {
              client_secret: CLIENT_SECRET,
              token_endpoint_auth_method: options.clientAuth ?? 'client_secret_basic',
            }),
        scopes: ['openid', 'email', 'profile', 'groups'],
        claims: { groups: 'groups' },
        ...overrides,
      };
    },
    allowRedirect(uri) {
      redirectUris.add(uri);
    },
    rotateKey: () => keys.rotate(),
  };
};
