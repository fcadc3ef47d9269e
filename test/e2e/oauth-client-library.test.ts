import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { beforeAll, expect, it } from 'vitest';
import { issueAuthorizationCode } from '../../src/core/oauth/authorization-codes';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp } from '../support/oauth';

// A standard OAuth client library, as an app would use it, against the local service.
const OWNER = { email: 'owner@o4w.test', password: 'oauth4webapi owner passphrase' };
const { stack, call, signIn, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});

let as: oauth.AuthorizationServer;
let ownerToken: string;
const insecure = { [oauth.allowInsecureRequests]: true };

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  const issuer = new URL(stack().url);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
  );
});

const register = (json: Record<string, unknown>) => registerClient(ownerToken, json);

it('runs the code flow with PKCE, refreshes, introspects and revokes through oauth4webapi', async () => {
  expect(as.issuer).toBe(stack().url);
  // Its code is issued below without a consent page: a first-party app.
  const spa = await register(firstPartyApp('spa', 'https://spa.example.com/cb'));
  const client: oauth.Client = { client_id: spa.client_id };
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
  const me = await call('GET', '/me', { token: ownerToken });
  // What the hosted sign-in or the SSO callback will do: issue a code for the signed-in user.
  const code = await issueAuthorizationCode(buildDeps(process.env), {
    clientId: spa.client_id,
    redirectUri: 'https://spa.example.com/cb',
    codeChallenge: challenge,
    userId: me.body.user.id,
    scope: ['profile'],
  });
  const callback = oauth.validateAuthResponse(
    as,
    client,
    new URL(`https://spa.example.com/cb?code=${code}`),
    oauth.skipStateCheck,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      callback,
      'https://spa.example.com/cb',
      verifier,
      insecure,
    ),
  );
  expect(tokens.token_type).toBe('bearer');
  expect(tokens.refresh_token).toMatch(/^srt_/);

  const refreshed = await oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      tokens.refresh_token as string,
      insecure,
    ),
  );
  expect(refreshed.access_token).not.toBe(tokens.access_token);

  const resourceServer = await register({
    name: 'rs',
    grant_types: ['refresh_token'],
    confidential: true,
    // A resource server: first-party, so it may introspect any token.
    first_party: true,
  });
  const rsClient: oauth.Client = { client_id: resourceServer.client_id };
  const rsAuth = oauth.ClientSecretBasic(resourceServer.client_secret as string);
  const introspection = await oauth.processIntrospectionResponse(
    as,
    rsClient,
    await oauth.introspectionRequest(as, rsClient, rsAuth, refreshed.access_token, insecure),
  );
  expect(introspection).toMatchObject({
    active: true,
    sub: me.body.user.id,
    token_type: 'access_token',
  });

  await oauth.processRevocationResponse(
    await oauth.revocationRequest(
      as,
      client,
      oauth.None(),
      refreshed.refresh_token as string,
      insecure,
    ),
  );
  const after = await oauth.processIntrospectionResponse(
    as,
    rsClient,
    await oauth.introspectionRequest(
      as,
      rsClient,
      rsAuth,
      refreshed.refresh_token as string,
      insecure,
    ),
  );
  expect(after.active).toBe(false);
});
