import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signInPage } from '../../../src/web/pages/auth';
import { passkeyOptionsSubmit } from '../../../src/web/pages/console-passkeys';
import { challengePage, challengeSubmit } from '../../../src/web/pages/mfa-challenge';
import { passkeyOptionsRoute, passkeySignInSubmit } from '../../../src/web/pages/passkey-sign-in';
import { testDeps } from '../../support/core-deps';
import { confirmedTotp, passwordMfaToken } from '../../support/mfa-fixtures';
import { pageRequest } from '../../support/page-request';
import { createUserWithPassword, PASSWORD } from '../../support/users';

/** The hosted pages' passkeys, without a browser (test/browser/passkeys.test.ts has one). */

const attribute = (body: string, name: string) =>
  new RegExp(`${name}="([^"]*)"`).exec(body)?.[1]?.replaceAll('&quot;', '"') ?? null;

describe('"Sign in with a passkey" on the sign-in page', () => {
  it('is a form the page script fills from fresh options, and the login field autofills passkeys', async () => {
    const deps = testDeps();
    const result = await signInPage(pageRequest(deps, { path: '/sign-in' }));
    const body = result.body ?? '';
    expect(body).toContain('data-webauthn="authenticate"');
    expect(attribute(body, 'data-options-url')).toBe('/sign-in/passkey/options');
    expect(body).toContain('data-webauthn-autofill');
    expect(body).toMatch(/<button type="button" data-webauthn-start hidden>Sign in with a passkey/);
    expect(body).toContain('autocomplete="username webauthn"');
  });

  it('is not offered with passwords off, and its routes refuse as the API does', async () => {
    const deps = testDeps({ PASSWORD_LOGIN_ENABLED: '0' });
    const page = await signInPage(pageRequest(deps, { path: '/sign-in' }));
    expect(page.body).not.toContain('data-webauthn');
    await expect(
      passkeyOptionsRoute(pageRequest(deps, { path: '/sign-in/passkey/options', form: {} })),
    ).rejects.toMatchObject({ code: 'password_login_disabled' });
    const posted = await passkeySignInSubmit(
      pageRequest(deps, { path: '/sign-in/passkey', form: { credential: '{"id":"x"}' } }),
    );
    expect(posted.statusCode).toBe(403);
  });

  it('is not offered on the fresh sign-in an application asked for (only a password proves it)', async () => {
    const deps = testDeps();
    const returnTo = `/oauth/authorize?client_id=x&prompt=login&signed_in_after=${deps.clock.now()}`;
    const page = await signInPage(
      pageRequest(deps, { path: '/sign-in', query: { return_to: returnTo, fresh: '1' } }),
    );
    expect(page.body).not.toContain('data-webauthn');
  });

  it('shows the page again, with no session, for a post without a ceremony’s answer', async () => {
    const deps = testDeps();
    const request = pageRequest(deps, { path: '/sign-in/passkey', form: { credential: 'nope' } });
    const refused = await passkeySignInSubmit(request);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('role="alert"');
    expect(request.setCookies).toEqual([]);
  });
});

describe('the challenge page', () => {
  it('offers no key for a user with an app only, and keeps the code form', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer' });
    await confirmedTotp(deps, user);
    const request = {
      ...pageRequest(deps, { path: '/sign-in/mfa', query: { return_to: '/console' } }),
      cookies: { gatehouse_mfa: await passwordMfaToken(deps, user) },
    };
    const page = await challengePage(request);
    expect(page.body).not.toContain('data-webauthn');
    expect(page.body).toContain('name="code"');
  });

  it('keeps the sign-in for a post whose ceremony sent nothing (the token is not spent)', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer' });
    await confirmedTotp(deps, user);
    const mfaToken = await passwordMfaToken(deps, user);
    const request = {
      ...pageRequest(deps, {
        path: '/sign-in/mfa',
        form: { return_to: '/console', credential: '' },
      }),
      cookies: { gatehouse_mfa: mfaToken },
    };
    const refused = await challengeSubmit(request);
    expect(refused.statusCode).toBe(400);
    expect(request.setCookies).toEqual([]);
    const again = await challengePage({
      ...pageRequest(deps, { path: '/sign-in/mfa' }),
      cookies: { gatehouse_mfa: mfaToken },
    });
    expect(again.statusCode).toBe(200);
  });
});

describe('adding a passkey in the console', () => {
  const oldSession = async (form: Record<string, string>) => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer' });
    const signedInAt = deps.clock.now();
    deps.clock.advance(600);
    const request = pageRequest(deps, {
      path: '/console/mfa/webauthn',
      user,
      form: { once: randomBytes(18).toString('base64url'), ...form },
    });
    if (request.signedIn) {
      request.signedIn.session = { ...request.signedIn.session, authTime: signedInAt };
    }
    return request;
  };

  it('asks an old session for the proof before it makes any options', async () => {
    const refused = await passkeyOptionsSubmit(await oldSession({ name: 'Laptop' }));
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('data-options');
  });

  it('with the password, hands the page script the registration options and the name', async () => {
    const shown = await passkeyOptionsSubmit(await oldSession({ name: 'Laptop', proof: PASSWORD }));
    expect(shown.statusCode).toBe(200);
    const body = shown.body ?? '';
    expect(body).toContain('data-webauthn="register"');
    expect(body).toContain('action="/console/mfa/webauthn/finish"');
    expect(body).toContain('name="name" value="Laptop"');
    const options = JSON.parse(attribute(body, 'data-options') ?? '{}');
    expect(options.challenge).toMatch(/^[\w-]+$/);
    expect(options.rp.id).toBe(new URL(testDeps().config.issuerUrl).hostname);
    expect(options.authenticatorSelection.residentKey).toBe('preferred');
  });
});
