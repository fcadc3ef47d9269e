import { findClient } from '../../core/oauth/client-lookup';
import { GatehouseError } from '../../core/shared/errors';
import { API_KEY_REFUSAL, createApiKeyCheck } from '../../core/tokens/api-keys';
import { header } from '../http-event';
import { OAuthProtocolError } from '../oauth-errors';
import { speaksOAuth } from '../routes';
import { needs, type PipelineMiddleware } from './state';

/**
 * REQUIRE_API_KEY: a known client id in `x-api-key`. `exempt` functions skip it (discovery:
 * JWT libraries fetch keys with no API key).
 */
export const apiKey = ({ exempt }: { exempt: boolean }): PipelineMiddleware => {
  let check: ((key: string | undefined) => Promise<boolean>) | undefined;
  return {
    before: async (request) => {
      const deps = needs(request, 'deps');
      if (!deps.config.requireApiKey || exempt) return;
      check ??= createApiKeyCheck({
        isKnownClient: async (id) => (await findClient(deps, id)) !== null,
        now: () => deps.clock.now(),
        cacheSeconds: deps.config.revocationCacheSeconds,
      });
      if (await check(header(request.event, 'x-api-key'))) return;
      // `/oauth/*` answers in the RFC's shape, with the contract's status.
      if (speaksOAuth(needs(request, 'route'))) {
        throw new OAuthProtocolError('invalid_client', API_KEY_REFUSAL, 403);
      }
      throw new GatehouseError('api_key_invalid', API_KEY_REFUSAL);
    },
  };
};
