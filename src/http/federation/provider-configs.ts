import * as client from 'openid-client';
import type { IdentityProvider } from '../../core/identity/provider-config';
import { providerFetch } from './provider-fetch';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Plain http only to a provider on this machine (tests, `npm run start:idp`), never beyond. */
const insecureAllowed = (issuer: URL): boolean =>
  issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);

const clientAuthOf = (provider: IdentityProvider): client.ClientAuth => {
  switch (provider.tokenEndpointAuth) {
    case 'client_secret_basic':
      return client.ClientSecretBasic(provider.clientSecret ?? undefined);
    case 'client_secret_post':
      return client.ClientSecretPost(provider.clientSecret ?? undefined);
    case 'none':
      return client.None();
  }
};

const discovered = new WeakMap<IdentityProvider, Promise<client.Configuration>>();

/**
 * The provider's configuration from its discovery document, fetched on first use per cold
 * start and kept; a failed discovery is forgotten, so the next request tries again. The
 * configuration keeps openid-client's JWKS cache (5 min; an unknown `kid` refetches the set
 * once the cached copy is a minute old).
 */
export const providerConfiguration = (
  provider: IdentityProvider,
): Promise<client.Configuration> => {
  const known = discovered.get(provider);
  if (known) return known;
  const issuer = new URL(provider.issuer);
  const pending = client
    .discovery(issuer, provider.clientId, undefined, clientAuthOf(provider), {
      [client.customFetch]: providerFetch,
      execute: insecureAllowed(issuer) ? [client.allowInsecureRequests] : [],
    })
    .catch((error: unknown) => {
      discovered.delete(provider);
      throw error;
    });
  discovered.set(provider, pending);
  return pending;
};
