import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * What a browser relying party (examples/spa) needs over the local server: discovery and the
 * JWKS readable from any origin, and a preflight before it sends its bearer to userinfo.
 */
const { stack } = useLocalStack({});

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

  it('answers the preflight of a bearer to /oauth/userinfo, and no other', async () => {
    const preflight = (path: string) =>
      fetch(`${stack().url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: APP,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const userinfo = await preflight('/oauth/userinfo');
    expect(userinfo.status).toBe(204);
    expect(userinfo.headers.get('access-control-allow-origin')).toBe(APP);
    expect(userinfo.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(userinfo.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, x-api-key',
    );
    expect(userinfo.headers.get('access-control-allow-credentials')).toBeNull();
    for (const path of ['/oauth/token', '/me', '/oauth/logout']) {
      const other = await preflight(path);
      expect(other.status, path).toBe(405);
      expect(other.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });
});
