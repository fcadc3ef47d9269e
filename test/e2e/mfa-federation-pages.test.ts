import { describe, expect, it } from 'vitest';
import { browserSessionUser } from '../../src/core/sessions/sessions';
import { loginKey } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { browser, toCallback, useFederationStack } from '../support/federation-stack';
import { confirmedTotp } from '../support/mfa-fixtures';
import { totpCodeAt } from '../support/totp-codes';

/**
 * An OIDC provider's login of a user with a factor (API.md, MFA), against a real OpenID Provider:
 * no session until the factor is verified on the hosted page; `trust_mfa` alone (no `amr` with
 * `mfa` in the ID token) does not stand in for it.
 */
const { idp, stack } = await useFederationStack({ REVOCATION_CACHE_SECONDS: '0' }, [
  { id: 'plain', name: 'Plain Provider', trust_email: true },
  { id: 'trusted', name: 'Trusted Provider', trust_email: true, trust_mfa: true },
]);

const host = () => new URL(stack().url).host;

describe.each(['plain', 'trusted'])(
  'a federated login through %s of a user with a factor',
  (id) => {
    it('lands on the challenge page with no session; the code signs in', async () => {
      const email = `fed-${id}@mfa-pages.test`;
      idp.setUser({ sub: `sub-${id}`, email, email_verified: true });
      const signInAtProvider = async () => {
        const using = browser();
        const { callback } = await toCallback(stack().url, id, 'return_to=%2Flanding', using);
        return { using, landed: await using.get(callback) };
      };
      const first = await signInAtProvider();
      expect(first.landed.location).toBe(`${stack().url}/landing`);

      const deps = buildDeps(process.env);
      const userId = (await deps.store.findLogin(loginKey(email)))?.userId;
      const user = userId ? await deps.store.getUser(userId) : null;
      if (!user) throw new Error('no federated user');
      const { secret } = await confirmedTotp(deps, user);
      const confirmedAt = Date.now();

      const { using, landed } = await signInAtProvider();
      expect(landed.status, landed.body).toBe(302);
      expect(landed.location).toBe(`${stack().url}/sign-in/mfa?return_to=%2Flanding`);
      expect(using.cookie(host(), 'gatehouse_session')).toBeUndefined();
      expect(using.cookie(host(), 'gatehouse_mfa')).toMatch(/^mft_/);

      const page = await using.get(landed.location as string);
      expect(page.status).toBe(200);
      const done = await using.post(`${stack().url}/sign-in/mfa`, {
        csrf: /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '',
        return_to: '/landing',
        code: totpCodeAt(secret, Math.max(Date.now(), confirmedAt + 30_000)),
      });
      expect(done.status, done.body).toBe(303);
      expect(done.location).toBe(`${stack().url}/landing`);
      const signedIn = await browserSessionUser(deps, using.cookie(host(), 'gatehouse_session'));
      expect(signedIn?.user.id).toBe(user.id);
      // The session remembers where it came from: a provider, not a password.
      expect(signedIn?.session.origin).toBe('provider');
    });
  },
);
