import { describe, expect, it } from 'vitest';
import { apiKey } from '../../../../src/http/middleware/api-key';
import { OAuthProtocolError } from '../../../../src/http/oauth-errors';
import { testDeps } from '../../../support/core-deps';
import { httpEvent, pipelineRequest, routeFor, run } from '../../../support/pipeline';

const KNOWN = `gh_${'a'.repeat(24)}`;

const depsWithClient = async (env: Record<string, string>) => {
  const deps = testDeps(env);
  await deps.store.createClient({
    clientId: KNOWN,
    secretHash: null,
    name: 'test',
    redirectUris: ['https://app.example.com/callback'],
    grantTypes: ['authorization_code'],
    confidential: false,
    firstParty: true,
    serviceUserId: null,
    createdBy: null,
    createdAt: 0,
  });
  return deps;
};

const requestTo = (key: string, deps: ReturnType<typeof testDeps>, apiKeyHeader?: string) =>
  pipelineRequest(httpEvent(key, { headers: apiKeyHeader ? { 'x-api-key': apiKeyHeader } : {} }), {
    deps,
    route: routeFor(key),
  });

describe('apiKey', () => {
  it('lets every request through when REQUIRE_API_KEY is off', async () => {
    const deps = testDeps();
    await run(apiKey({ exempt: false }).before, requestTo('GET /me', deps));
  });

  it('refuses a missing or unknown key with api_key_invalid', async () => {
    const deps = await depsWithClient({ REQUIRE_API_KEY: '1' });
    const middleware = apiKey({ exempt: false });
    await expect(run(middleware.before, requestTo('GET /me', deps))).rejects.toMatchObject({
      code: 'api_key_invalid',
    });
    await expect(
      run(middleware.before, requestTo('GET /me', deps, `gh_${'b'.repeat(24)}`)),
    ).rejects.toMatchObject({ code: 'api_key_invalid' });
    await run(middleware.before, requestTo('GET /me', deps, KNOWN));
  });

  it('refuses on /oauth/* in the RFC’s shape, with the contract’s 403', async () => {
    const deps = await depsWithClient({ REQUIRE_API_KEY: '1' });
    const refusal = await run(
      apiKey({ exempt: false }).before,
      requestTo('POST /oauth/token', deps),
    ).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(OAuthProtocolError);
    expect(refusal).toMatchObject({ error: 'invalid_client', status: 403 });
  });

  it('does not ask an exempt function (discovery) for a key', async () => {
    const deps = await depsWithClient({ REQUIRE_API_KEY: '1' });
    await run(apiKey({ exempt: true }).before, requestTo('GET /me', deps));
  });
});
