import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import Provider, { interactionPolicy, type KoaContext } from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

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
   *  with that claim wrong (another audience, already expired, another nonce). */
  tamperNext(mode: 'audience' | 'expired' | 'nonce'): void;
  stop(): Promise<void>; // down: connections refused
  restart(): Promise<void>; // back on the same port
  /** An IDENTITY_PROVIDERS entry for it (a confidential client by default). */
  providerEntry(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Register the Gatehouse callback URL(s) once the stack's port is known (if needed). */
  allowRedirect(uri: string): void;
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
  options: { publicClient?: boolean } = {},
): Promise<TestOidcIdp> => {
  const publicClient = options.publicClient ?? false;
  const users = new Map<string, UserClaims>();
  let current: UserClaims = { sub: 'nobody', email: 'nobody@idp.test', email_verified: true };
  let denyNext = false;
  let tamper: 'audience' | 'expired' | 'nonce' | null = null;
  const redirectUris = new Set<string>();

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingJwk: JWK = {
    ...(await exportJWK(privateKey)),
    kid: 'test-idp-1',
    alg: 'RS256',
    use: 'sig',
  };

  // The client is served from the adapter, so redirect URIs added later take effect.
  const clientMetadata = () => ({
    client_id: TEST_IDP_CLIENT_ID,
    ...(publicClient
      ? { token_endpoint_auth_method: 'none' }
      : { client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic' }),
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
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['test-idp-cookie-key-0123456789abcdef'] },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ ...(users.get(sub) ?? {}), sub }),
    }),
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', ...EXTRA_CLAIMS],
      groups: ['groups'],
    },
    // As Google, Entra ID and Okta do: the ID token carries the scopes' claims.
    conformIdTokenClaims: false,
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
  provider.use(async (ctx: KoaContext, next) => {
    await next();
    if (ctx.path === '/token' && tamper) {
      const body = ctx.body as { id_token?: string } | undefined;
      if (body?.id_token) {
        body.id_token = await tampered(body.id_token, tamper);
        tamper = null;
      }
    }
  });
  const providerCallback = provider.callback();

  /** The ID token re-signed with the provider's own key, one claim wrong. */
  const tampered = async (idToken: string, mode: 'audience' | 'expired' | 'nonce') => {
    const claims = decodeJwt(idToken);
    const now = Math.floor(Date.now() / 1000);
    const changed =
      mode === 'audience'
        ? { ...claims, aud: 'another-client' }
        : mode === 'expired'
          ? { ...claims, iat: now - 3600, exp: now - 600 }
          : { ...claims, nonce: 'not-the-nonce-of-this-flow' };
    return new SignJWT(changed)
      .setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid as string })
      .sign(await importJWK(signingJwk, 'RS256'));
  };

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
      await provider.interactionFinished(req, res, { login: { accountId: current.sub } });
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
        ...(publicClient ? {} : { client_secret: CLIENT_SECRET }),
        scopes: ['openid', 'email', 'profile', 'groups'],
        claims: { groups: 'groups' },
        ...overrides,
      };
    },
    allowRedirect(uri) {
      redirectUris.add(uri);
    },
  };
};
