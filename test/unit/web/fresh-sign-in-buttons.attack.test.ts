import { describe, expect, it } from 'vitest';
import { signInPage } from '../../../src/web/pages/auth';
import { testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';
import { createUserWithPassword } from '../../support/users';

/**
 * Red team 14: the page shown for prompt=login / max_age (fresh=1) offers the provider (and
 * SSO) buttons with the marked return_to. That leg asks the provider for no re-authentication
 * (oidc-login.ts beginAuthorization sends no prompt/max_age; sso.ts sends only return_to) and
 * the landing session's authTime is "now" (sso-handoff.ts:44, startSession's default), so a
 * provider's silent SSO cookie satisfies the step-up and the ID token's auth_time claims a fresh
 * authentication that never happened. The link of a fresh sign-in must tell the provider leg.
 */
const PROVIDERS = JSON.stringify([
  { id: 'corp', name: 'Corp', issuer: 'https://idp.corp.test', client_id: 'gh' },
]);

describe('the fresh sign-in page (prompt=login) with an OIDC provider', () => {
  it('does not offer a provider link that will not ask the provider to re-authenticate', async () => {
    const deps = testDeps({ IDENTITY_PROVIDERS: PROVIDERS });
    const user = await createUserWithPassword(deps, { email: 'ann@example.com', role: 'viewer' });
    const returnTo = `/oauth/authorize?client_id=x&prompt=login&signed_in_after=${deps.clock.now()}`;
    const result = await signInPage(
      pageRequest(deps, { path: '/sign-in', query: { return_to: returnTo, fresh: '1' }, user }),
    );
    expect(result.statusCode).toBe(200);
    const links = [...(result.body ?? '').matchAll(/href="(\/auth\/federated\/[^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    // Today: one link, /auth/federated/corp?return_to=... with nothing asking for a fresh login.
    for (const link of links) expect(link).toMatch(/[?&](fresh=1|prompt=login|max_age=)/);
    expect(links.length === 0 || links.every((l) => /fresh=1|prompt=login/.test(l))).toBe(true);
  });
});
