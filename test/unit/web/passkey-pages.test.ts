import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { finishOwnWebAuthn, startOwnWebAuthn } from '../../../src/core/account/own-factors';
import { noRequest } from '../../../src/core/audit/audit';
import { issueMfaToken } from '../../../src/core/mfa';
import { browserSessionUser, sessionAmr, startSession } from '../../../src/core/sessions/sessions';
import type { CoreDeps } from '../../../src/core/shared/deps';
import type { SessionRecord } from '../../../src/core/shared/store';
import type { HttpResult } from '../../../src/http/responses';
import { signInPage } from '../../../src/web/pages/auth';
import {
  passkeyFinishSubmit,
  passkeyOptionsSubmit,
  stepUpOptionsRoute,
} from '../../../src/web/pages/console-passkeys';
import {
  challengeOptionsRoute,
  challengePage,
  challengeSubmit,
} from '../../../src/web/pages/mfa-challenge';
import { passkeyOptionsRoute, passkeySignInSubmit } from '../../../src/web/pages/passkey-sign-in';
import { testDeps } from '../../support/core-deps';
import { confirmedTotp, passwordMfaToken } from '../../support/mfa-fixtures';
import { pageRequest } from '../../support/page-request';
import { SoftAuthenticator } from '../../support/soft-authenticator';
import { createUserWithPassword, PASSWORD } from '../../support/users';

/** The hosted pages' passkeys, without a browser (test/browser/passkeys.test.ts has one). */

/** A user with a passkey registered through the core, and the device holding it. */
const withPasskey = async (deps: CoreDeps) => {
  const user = await createUserWithPassword(deps, { role: 'viewer' });
  const self = { kind: 'user' as const, user, tokenId: null, origin: 'self' as const };
  const device = new SoftAuthenticator();
  const origin = deps.config.webauthn.origins[0] as string;
  const options = await startOwnWebAuthn(deps, self, { authTime: deps.clock.now() }, noRequest);
  const added = await finishOwnWebAuthn(
    deps,
    self,
    '',
    device.register(options, origin),
    'Laptop',
    noRequest,
  );
  return { user, device, origin, factorId: added.factor.factor_id };
};

/** The JSON a page route answered (the options the page script gets). */
const jsonOf = (result: HttpResult) => JSON.parse(String(result.body));

/** The browser session a sign-in's cookie carries, read back as the pages would. */
const sessionOf = async (deps: CoreDeps, setCookies: string[]) => {
  const cookie = setCookies.find((c) => c.startsWith('gatehouse_session=')) ?? '';
  const value = cookie.slice('gatehouse_session='.length).split(';')[0] ?? '';
  return browserSessionUser(deps, value);
};

/** A credential the schema lets through (the core then refuses it). */
const WELL_FORMED = JSON.stringify({
  id: 'abc',
  rawId: 'abc',
  type: 'public-key',
  response: { clientDataJSON: 'abc' },
});

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
      pageRequest(deps, { path: '/sign-in/passkey', form: { credential: WELL_FORMED } }),
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

  it('signs in with a registered passkey alone: amr hwk and mfa, and on to return_to', async () => {
    const deps = testDeps();
    const { user, device, origin } = await withPasskey(deps);
    const options = jsonOf(
      await passkeyOptionsRoute(pageRequest(deps, { path: '/sign-in/passkey/options', form: {} })),
    );
    expect(options.userVerification).toBe('required');
    const request = pageRequest(deps, {
      path: '/sign-in/passkey',
      form: {
        return_to: '/console/tokens',
        credential: JSON.stringify(device.assert(options, origin)),
      },
    });
    const done = await passkeySignInSubmit(request);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/tokens');
    const signedIn = await sessionOf(deps, request.setCookies);
    expect(signedIn?.user.id).toBe(user.id);
    expect([...sessionAmr(signedIn?.session as never)].sort()).toEqual(['hwk', 'mfa']);
  });

  it.each([
    ['no JSON', 'nope'],
    [
      'an id the API refuses',
      JSON.stringify({
        id: 'not base64url!',
        rawId: 'x',
        type: 'public-key',
        response: { clientDataJSON: 'x' },
      }),
    ],
  ])('shows the page again, with no session, for a credential with %s', async (_, credential) => {
    const deps = testDeps();
    const request = pageRequest(deps, { path: '/sign-in/passkey', form: { credential } });
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

describe('the challenge page with a passkey', () => {
  const challenge = (deps: CoreDeps, mfaToken: string, form?: Record<string, string>) => ({
    ...pageRequest(deps, {
      path: '/sign-in/mfa',
      query: { return_to: '/console' },
      ...(form ? { form } : {}),
    }),
    cookies: { gatehouse_mfa: mfaToken },
  });

  it('offers the key beside the code form, and finishes the sign-in with it', async () => {
    const deps = testDeps();
    const { user, device, origin, factorId } = await withPasskey(deps);
    const mfaToken = await passwordMfaToken(deps, user);
    const page = (await challengePage(challenge(deps, mfaToken))).body ?? '';
    expect(page).toContain(`name="factor_id" value="${factorId}"`);
    expect(attribute(page, 'data-options-url')).toBe('/sign-in/mfa/options');
    expect(page).toContain('Or enter one of your recovery codes.');
    expect(page).toContain('name="code"');

    const options = jsonOf(
      await challengeOptionsRoute(challenge(deps, mfaToken, { factor_id: factorId })),
    );
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual(device.credentialIds);
    const request = challenge(deps, mfaToken, {
      return_to: '/console',
      credential: JSON.stringify(device.assert(options, origin)),
    });
    const done = await challengeSubmit(request);
    expect(done.headers.location).toBe('/console');
    const signedIn = await sessionOf(deps, request.setCookies);
    expect([...sessionAmr(signedIn?.session as never)].sort()).toEqual(['hwk', 'mfa', 'pwd']);
  });

  it('does not turn an API step-up’s mfa_token into a browser session, key or not', async () => {
    const deps = testDeps();
    const { user, device, origin, factorId } = await withPasskey(deps);
    const { mfaToken } = await issueMfaToken(deps, user.id, {
      method: 'reauth',
      clientId: null,
      sid: 's1',
      amr: ['pwd'],
    });
    const options = jsonOf(
      await challengeOptionsRoute(challenge(deps, mfaToken, { factor_id: factorId })),
    );
    const request = challenge(deps, mfaToken, {
      credential: JSON.stringify(device.assert(options, origin)),
    });
    const refused = await challengeSubmit(request);
    expect(refused.headers.location).toBe('/sign-in?notice=mfa_expired');
    expect(request.setCookies.some((c) => c.startsWith('gatehouse_session='))).toBe(false);
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

  it('refuses a name the API would refuse before any options', async () => {
    const refused = await passkeyOptionsSubmit(
      await oldSession({ name: 'k'.repeat(101), proof: PASSWORD }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('name');
    expect(refused.body).not.toContain('data-options');
  });

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

  it('registers the key the browser made: the first comes with recovery codes, the next without', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer' });
    const origin = deps.config.webauthn.origins[0] as string;
    // One browser session, read as stored at each request (as the pages' handler does).
    const { access_token } = await startSession(deps, user, null, { origin: 'self' });
    const sid = decodeJwt(access_token).sid as string;
    const session = async () => (await deps.store.getSession(sid)) as SessionRecord;
    const add = async (name: string, device: SoftAuthenticator) => {
      const form = { once: randomBytes(18).toString('base64url'), name, proof: PASSWORD };
      const shown = await passkeyOptionsSubmit(
        pageRequest(deps, { path: '/console/mfa/webauthn', user, form, session: await session() }),
      );
      const options = JSON.parse(attribute(shown.body ?? '', 'data-options') ?? '{}');
      const credential = JSON.stringify(device.register(options, origin));
      return passkeyFinishSubmit(
        pageRequest(deps, {
          path: '/console/mfa/webauthn/finish',
          user,
          form: { name, credential },
          session: await session(),
        }),
      );
    };
    const laptop = new SoftAuthenticator();
    const first = await add('Laptop', laptop);
    expect(first.statusCode).toBe(201);
    // The first key marks the session that registered it, so its password proves it again.
    expect((await session()).amr).toEqual(['pwd', 'hwk', 'mfa']);
    const shownCodes = /<pre id="recovery-codes">([^<]*)<\/pre>/.exec(first.body ?? '')?.[1];
    expect(shownCodes?.trim().split('\n')).toHaveLength(10);
    // The options exclude the keys registered already: the same one cannot come twice.
    await expect(add('Laptop again', laptop)).rejects.toThrow(/registered already/);
    const second = await add('YubiKey', new SoftAuthenticator());
    expect(second.headers.location).toBe('/console?notice=passkey_added');
    const { factors } = await deps.store.getMfaState(user.id);
    expect(factors.map((f) => f.name).sort()).toEqual(['Laptop', 'YubiKey']);
  });

  it('refuses the password of a session that never verified the user’s factor (invariant A)', async () => {
    const deps = testDeps();
    const { user } = await withPasskey(deps);
    // A session from before the key (a thief's): its recent sign-in and the password prove nothing.
    const { access_token } = await startSession(deps, user, null, { origin: 'self' });
    const session = await deps.store.getSession(decodeJwt(access_token).sid as string);
    const form = { once: randomBytes(18).toString('base64url'), name: 'Thief', proof: PASSWORD };
    const refused = await passkeyOptionsSubmit(
      pageRequest(deps, {
        path: '/console/mfa/webauthn',
        user,
        form,
        session: session as SessionRecord,
      }),
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('second factor');
    expect(refused.body).not.toContain('data-options="');
  });

  it('gives step-up options over the user’s own keys only', async () => {
    const deps = testDeps();
    const { user, device } = await withPasskey(deps);
    const options = jsonOf(
      await stepUpOptionsRoute(
        pageRequest(deps, { path: '/console/mfa/step-up-options', user, form: {} }),
      ),
    );
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual(device.credentialIds);
  });
});
