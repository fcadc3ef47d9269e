import * as client from 'openid-client';
import type { OidcClaims } from '../../core/identity/federated-claims';
import type { FederationFlow } from '../../core/identity/federation-flow';
import type { IdentityProvider } from '../../core/identity/provider-config';
import { GatehouseError, unavailable } from '../../core/shared/errors';
import { logger } from '../logger';
import { providerConfiguration } from './provider-configs';
import { isProviderUnreachable, ProviderUnreachable, withProviderDeadline } from './provider-fetch';

/**
 * The relying party's two protocol steps, done by openid-client (never by hand): the
 * authorization request and, at the callback, the code exchange with the ID token's
 * validation (OIDC Core 3.1.3.7). Every provider request runs under one 2.5 s deadline.
 */

/** How far ahead of this clock a provider's may be when it issues an ID token. */
const MAX_IAT_AHEAD_SECONDS = 300;

/** The flow's secrets and the provider's authorization URL carrying them. */
export const beginAuthorization = async (
  provider: IdentityProvider,
  redirectUri: string,
): Promise<{ url: URL; secrets: Pick<FederationFlow, 'state' | 'nonce' | 'codeVerifier'> }> =>
  talkingTo(provider, async () => {
    const config = await discovered(provider);
    const secrets = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: provider.scopes.join(' '),
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, secrets };
  });

/**
 * The callback: trades the code (with the PKCE verifier) and validates the ID token: issuer,
 * audience, signature by the provider's JWKS, expiry, `nonce`, and the `state` and RFC 9207
 * `iss` of the response. Userinfo is asked only when the ID token lacks the email claim.
 */
export const finishAuthorization = async (
  provider: IdentityProvider,
  callbackUrl: URL,
  flow: FederationFlow,
): Promise<OidcClaims> =>
  talkingTo(provider, async () => {
    const config = await discovered(provider);
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new GatehouseError('token_invalid', 'The provider sent no ID token.');
    // openid-client checks that `iat` is there, not when: one from the future is refused.
    if (idClaims.iat > Date.now() / 1000 + MAX_IAT_AHEAD_SECONDS) {
      throw new GatehouseError('token_invalid', 'The provider’s ID token is issued in the future.');
    }
    if (idClaims[provider.claims.email] !== undefined) return idClaims as OidcClaims;
    // userinfo must be about the same subject (openid-client checks `sub`); the ID token's
    // own claims win over userinfo's.
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    return { ...userinfo, ...idClaims } as OidcClaims;
  });

/** A provider whose discovery fails in any way (down, or not a provider) cannot be used now. */
const discovered = async (provider: IdentityProvider) => {
  try {
    return await providerConfiguration(provider);
  } catch (error) {
    throw new ProviderUnreachable('discovery failed', { cause: error });
  }
};

/** Runs a provider step: unreachable is 503, any refusal or failed check 401 `token_invalid`. */
const talkingTo = async <T>(provider: IdentityProvider, step: () => Promise<T>): Promise<T> => {
  try {
    return await withProviderDeadline(step);
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    if (isProviderUnreachable(error)) {
      const reason = causes(error).join(': ');
      logger.warn({ provider: provider.id, reason }, 'identity provider unreachable');
      throw unavailable(`The identity provider ${provider.name}`);
    }
    // openid-client's code and message name the failed check; its causes may hold claims.
    const { code, message } = error as { code?: string; message?: string };
    logger.warn({ provider: provider.id, code, reason: message }, 'provider answer refused');
    throw new GatehouseError(
      'token_invalid',
      `The identity provider's answer failed a check${code ? ` (${code})` : ''}.`,
    );
  }
};

/** The messages of an error and its causes (no claims: just what failed and where). */
const causes = (error: unknown): string[] => {
  const found: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    found.push(e.message);
    e = e.cause;
  }
  return found;
};
