import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueMfaToken } from '../../../src/core/mfa';
import { MfaRequiredError, requireSecondFactor } from '../../../src/core/mfa/second-factor-gate';
import { browserSessionUser, startSession } from '../../../src/core/sessions/sessions';
import { federatedLanding, trustedProviderAmr } from '../../../src/http/sso-handoff';
import { enrolSubmit, recoveryCodesSubmit } from '../../../src/web/pages/console-mfa';
import { challengeSubmit } from '../../../src/web/pages/mfa-challenge';
import { testDeps } from '../../support/core-deps';
import { confirmedTotp } from '../../support/mfa-fixtures';
import { pageRequest } from '../../support/page-request';
import { totpCodeAt } from '../../support/totp-codes';
import { createUserWithPassword, PASSWORD } from '../../support/users';

/** The hosted pages' second factor at the landing of SSO and federation (lane mfa-pages). */

describe('the landing of a federated login', () => {
  it('for a login stopped by the factor gate: the challenge page and the mfa cookie only', async () => {
    const deps = testDeps({ ISSUER_URL: 'https://auth.example.com' });
    const user = await createUserWithPassword(deps, { role: 'viewer' });
    await confirmedTotp(deps, user);
    const stopped = await requireSecondFactor(deps, user.id, {
      method: 'federated',
      clientId: null,
      sid: null,
      amr: [],
    }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(MfaRequiredError);
    const result = await federatedLanding(deps, stopped as MfaRequiredError, '/landing', null, []);
    const cookies = result.cookies ?? [];
    expect(result.statusCode).toBe(302);
    expect(result.headers?.location).toBe('/sign-in/mfa?return_to=%2Flanding');
    expect(cookies.some((c) => c.startsWith('gatehouse_session='))).toBe(false);
    expect(cookies.find((c) => c.startsWith('gatehouse_mfa='))).toMatch(
      /^gatehouse_mfa=mft_[\w-]+; Path=\/sign-in\/mfa; Max-Age=300; HttpOnly; SameSite=Lax; Secure$/,
    );
  });

  it('for a login that passed the gate: the session cookie and back to return_to', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer' });
    const tokens = await startSession(deps, user, null, { browser: true, origin: 'provider' });
    const result = await federatedLanding(deps, { tokens, user, amr: [] }, '/landing', null, []);
    expect(result.headers?.location).toBe('/landing');
    expect((result.cookies ?? []).some((c) => c.startsWith('gatehouse_session='))).toBe(true);
    expect(await browserSessionUser(deps, tokens.browserSession)).not.toBeNull();
  });
});

describe('a provider standing in for the factor', () => {
  it.each([
    [false, { amr: ['pwd', 'mfa'] }, false],
    [true, { amr: ['pwd'] }, false],
    [true, { amr: 'mfa' }, false],
    [true, {}, false],
    [true, { amr: ['pwd', 'otp', 'mfa'] }, true],
  ])('trust_mfa %s and claims %j: %s', (trustMfa, claims, expected) => {
    expect(trustedProviderAmr({ trustMfa }, claims).includes('mfa')).toBe(expected);
  });
});

describe('the challenge page', () => {
  it.each([
    ['an API step-up', { method: 'reauth', clientId: null, sid: 's1', amr: ['pwd'] }],
    ['a password grant', { method: 'password', clientId: 'app', sid: null, amr: ['pwd'] }],
  ] as const)('does not turn %s’s mfa_token into a browser session', async (_, context) => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer' });
    const { secret } = await confirmedTotp(deps, user);
    deps.clock.advance(30);
    const { mfaToken } = await issueMfaToken(deps, user.id, { ...context, amr: [...context.amr] });
    const request = {
      ...pageRequest(deps, {
        path: '/sign-in/mfa',
        form: { return_to: '/console', code: totpCodeAt(secret, deps.clock.now()) },
      }),
      cookies: { gatehouse_mfa: mfaToken },
    };
    const result = await challengeSubmit(request);
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/sign-in?notice=mfa_expired');
    expect(request.setCookies.some((c) => c.startsWith('gatehouse_session='))).toBe(false);
  });
});

describe('the console’s step-up for factor changes', () => {
  /** A console request by `user` whose browser session signed in ten minutes ago. */
  const oldSession = async (form: Record<string, string>) => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer' });
    const signedInAt = deps.clock.now();
    deps.clock.advance(600);
    const request = (extra: Record<string, string>) => {
      const made = pageRequest(deps, {
        path: '/console/mfa/totp',
        user,
        form: { once: randomBytes(18).toString('base64url'), ...form, ...extra },
      });
      if (made.signedIn) made.signedIn.session = { ...made.signedIn.session, authTime: signedInAt };
      return made;
    };
    return { deps, user, request };
  };

  it('refuses to add a factor for an old session without proof, or with a wrong password', async () => {
    const { deps, user, request } = await oldSession({ name: 'Phone' });
    for (const proof of [{}, { proof: 'not the password' }] as Record<string, string>[]) {
      const refused = await enrolSubmit(request(proof));
      expect(refused.statusCode).toBe(403);
    }
    expect((await deps.store.getMfaState(user.id)).factors).toEqual([]);
    const added = await enrolSubmit(request({ proof: PASSWORD }));
    expect(added.statusCode).toBe(201);
    expect(added.body).toMatch(/<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox=/);
  });

  it('gives new recovery codes for a code as proof, and the old ones die', async () => {
    const { deps, user, request } = await oldSession({});
    const { secret, codes } = await confirmedTotp(deps, user);
    deps.clock.advance(30);
    const fresh = await recoveryCodesSubmit(
      request({ proof: totpCodeAt(secret, deps.clock.now()) }),
    );
    expect(fresh.statusCode).toBe(200);
    const shown = /<pre id="recovery-codes">([^<]*)<\/pre>/
      .exec(fresh.body ?? '')?.[1]
      ?.trim()
      .split('\n');
    expect(shown).toHaveLength(10);
    const old = await recoveryCodesSubmit(request({ proof: codes?.[0] as string }));
    expect(old.statusCode).toBe(403);
  });
});
