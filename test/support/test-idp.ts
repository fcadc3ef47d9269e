import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import jwt from 'jsonwebtoken';

/**
 * A test identity provider written the way Metabase's example JWT SSO providers are: it
 * signs `{email, first_name, last_name, groups, exp}` with `jsonwebtoken` and a string secret
 * (which adds `iat`), then sends the browser back to `/auth/sso?jwt=…&return_to=…`. It also
 * publishes a JWKS for the providers that sign with RS256, ES256 or EdDSA.
 */
export interface Identity {
  email: string;
  first_name?: string;
  last_name?: string;
  groups?: string[];
  [claim: string]: unknown;
}

export const SSO_SECRET = 'a shared sso secret that is long enough';

const listen = (server: Server): Promise<number> =>
  new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : 0);
    }),
  );

export const startTestIdp = async () => {
  let gatehouseUrl = '';
  let identity: Identity = { email: 'someone@idp.test' };
  const algorithms = ['RS256', 'ES256', 'EdDSA'] as const;
  const pairs = await Promise.all(
    algorithms.map(async (alg) => ({
      alg,
      ...(await generateKeyPair(alg, { extractable: true })),
    })),
  );
  const jwks: JWK[] = await Promise.all(
    pairs.map(async ({ alg, publicKey }) => ({ ...(await exportJWK(publicKey)), alg, kid: alg })),
  );

  /** As Metabase's examples sign: a string secret, HS256, `exp` ten minutes out. */
  const signLikeMetabase = (claims: Identity, secret = SSO_SECRET) =>
    jwt.sign({ ...claims, exp: Math.round(Date.now() / 1000) + 600 }, secret);

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://idp');
    if (url.pathname === '/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: jwks }));
      return;
    }
    if (url.pathname === '/sso') {
      const back = new URL('/auth/sso', gatehouseUrl);
      back.searchParams.set('jwt', signLikeMetabase(identity));
      back.searchParams.set('return_to', url.searchParams.get('return_to') ?? '/');
      response.writeHead(302, { location: back.toString() });
      response.end();
      return;
    }
    response.writeHead(404);
    response.end();
  });
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;
  return {
    ssoUrl: `${base}/sso`,
    jwksUrl: `${base}/jwks.json`,
    /** The Gatehouse the provider sends browsers back to. */
    setGatehouse: (url: string) => {
      gatehouseUrl = url;
    },
    /** Who the next visitor to the provider signs in as. */
    signInAs: (next: Identity) => {
      identity = next;
    },
    signLikeMetabase,
    /** Signs with one of the provider's JWKS keys. */
    signWithKey: (alg: (typeof algorithms)[number], claims: Record<string, unknown>) => {
      const pair = pairs.find((p) => p.alg === alg);
      if (!pair) throw new Error(`no ${alg} key`);
      return new SignJWT(claims)
        .setProtectedHeader({ alg, kid: alg, typ: 'JWT' })
        .sign(pair.privateKey);
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
};
