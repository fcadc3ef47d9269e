import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp } from '../support/oauth';

/**
 * What a browser relying party (examples/spa) needs over the local server: discovery and the
 * JWKS readable from any origin, and a preflight before it sends its bearer to userinfo, from
 * the origin of its registered redirect URI (and no other).
 */
const OWNER = { email: 'owner@browser-rp.test', password: 'browser rp owner passphrase' };
const { stack, signIn, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});

const APP = 'https://app.browser-rp.test';

describe('CORS for a browser relying party', () => {
  it('shares /.well-known/* with any origin', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
      const reply = await fetch(`${stack().url}${path}`, { headers: { origin: APP } });
      expect(reply.status, path).toBe(200);
      expect(reply.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(reply.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
  });

  it('answers the preflight of a bearer to /oauth/userinfo for a registered origin, and no other', async () => {
    const preflight = (path: string, origin = APP) =>
      fetch(`${stack().url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    // Before the app is registered its origin is no one's: no CORS headers (no echo).
    const unregistered = await preflight('/oauth/userinfo');
    expect(unregistered.status).toBe(204);
    expect(unregistered.headers.get('access-control-allow-origin')).toBeNull();
    await registerClient(
      await signIn(OWNER.email, OWNER.password),
      firstPartyApp('browser rp', `${APP}/callback`),
    );
    // A miss re-reads the clients after a few seconds (src/http/middleware/preflight.ts).
    await new Promise((done) => setTimeout(done, 5_100));
    const userinfo = await preflight('/oauth/userinfo');
    expect(userinfo.status).toBe(204);
    expect(userinfo.headers.get('access-control-allow-origin')).toBe(APP);
    expect(userinfo.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(userinfo.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, x-api-key',
    );
    expect(userinfo.headers.get('access-control-allow-credentials')).toBeNull();
    // Another origin; the JSON API, which is CORS_ALLOWED_ORIGINS' alone: 204, nothing shared.
    for (const [path, origin] of [
      ['/oauth/userinfo', 'https://other.browser-rp.test'],
      ['/me', APP],
    ] as const) {
      const other = await preflight(path, origin);
      expect(other.status, path).toBe(204);
      expect(other.headers.get('access-control-allow-origin'), path).toBeNull();
    }
    // A page is not the API: 405 as before.
    const logout = await preflight('/oauth/logout');
    expect(logout.status).toBe(405);
    expect(logout.headers.get('access-control-allow-origin')).toBeNull();
  });
});
