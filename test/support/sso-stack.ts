import { afterAll, beforeAll } from 'vitest';
import { useLocalStack } from './local-stack';
import { SSO_SECRET, startTestIdp } from './test-idp';

/**
 * The local stack with the test identity provider as its JWT SSO (shared secret, sign-in URL
 * and JWKS), the provider sending browsers back to this stack. `env` adds to or overrides that.
 */
export const useSsoStack = async (env: Record<string, string>) => {
  const idp = await startTestIdp();
  afterAll(() => idp.close());
  const local = useLocalStack({
    SSO_JWT_SECRET: SSO_SECRET,
    SSO_IDP_URL: idp.ssoUrl,
    SSO_JWKS_URL: idp.jwksUrl,
    ...env,
  });
  beforeAll(() => idp.setGatehouse(local.stack().url));
  return { idp, ...local };
};

/** The first leg of the SSO code hand-off for an app at `returnTo`, with a PKCE challenge. */
export const ssoCodeStart = (returnTo: string, challenge: string, clientId?: string) =>
  `/auth/sso?return_to=${encodeURIComponent(returnTo)}&code_challenge=${challenge}&code_challenge_method=S256${clientId ? `&client_id=${clientId}` : ''}`;

export interface Hop {
  status: number;
  location: string | null;
  cookies: string[];
  body: string;
}

/** One request, redirects not followed (as a test of what the browser is told). */
export const hop = async (url: string, cookies: string[] = []): Promise<Hop> => {
  const response = await fetch(url, {
    redirect: 'manual',
    headers: cookies.length ? { cookie: cookies.map((c) => c.split(';')[0]).join('; ') } : {},
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    cookies: response.headers.getSetCookie(),
    body: await response.text(),
  };
};
