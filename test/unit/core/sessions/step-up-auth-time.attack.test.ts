import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { updateOwnProfile } from '../../../../src/core/account/account';
import { noRequest } from '../../../../src/core/audit/audit';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../../../src/core/oauth/authorization-codes';
import { sessionAuthTime, startSession } from '../../../../src/core/sessions/sessions';
import { createUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import type { UserRecord } from '../../../../src/core/users/users';
import { aClientRecord } from '../../../support/clients';
import { testDeps } from '../../../support/core-deps';

// Attack: step-up for PATCH /me {email} takes "the session's sign-in time" as auth_time, and
// the HTTP action uses session.createdAt (src/http/actions/account.ts updateMeAction). A
// session opened by exchanging an authorization code is created at the exchange, although
// no one authenticated: /oauth/authorize issues the code silently from a browser session
// signed in hours ago (src/web/pages/authorize.ts). So whoever holds an old browser session
// (a stolen cookie, an unattended browser) mints a "fresh" session for a first-party client
// with their own PKCE, and moves the account's email without the password -> reset -> takeover.
const operator: Actor = { kind: 'operator', name: 'cli' };

describe('a step-up counts when the person authenticated, not when a session row was written (red team C, finding 1)', () => {
  it('a code issued silently from an 8-hour-old browser session gives no fresh step-up', async () => {
    const deps = testDeps();
    const made = await createUser(
      deps,
      operator,
      { email: 'pat@example.com', role: 'viewer', password: 'pat passphrase long enough' },
      noRequest,
    );
    await deps.store.createClient(aClientRecord({ createdAt: deps.clock.now() }));
    // Pat signs in to the hosted pages (a browser session) ...
    const pat = (await deps.store.getUser(made.id)) as UserRecord;
    const browser = await startSession(deps, pat, null, { browser: true, origin: 'self' });
    const browserSid = decodeJwt(browser.access_token).sid as string;
    // ... and 8 hours later the (stolen) browser session is all the attacker has.
    deps.clock.advance(8 * 3600);
    const old = await deps.store.getSession(browserSid);
    const self = { kind: 'user' as const, user: pat, tokenId: null, origin: 'self' as const };
    await expect(
      updateOwnProfile(deps, self, { email: 'thief@evil.test' }, noRequest, {
        authTime: old?.createdAt ?? null,
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });

    // /oauth/authorize with that cookie issues a code silently (first-party: no consent, no
    // password), as authorize.ts does for a signed-in browser.
    const code = await issueAuthorizationCode(deps, {
      clientId: 'app',
      redirectUri: 'https://app.example/cb',
      codeChallenge: '',
      userId: pat.id,
      scope: ['profile'],
      origin: 'self',
      // As authorize.ts passes it: the approving browser session's auth time.
      authTime: old ? sessionAuthTime(old) : 0,
    });
    const tokens = await exchangeAuthorizationCode(deps, {
      code,
      clientId: 'app',
      redirectUri: 'https://app.example/cb',
    });
    const sid = decodeJwt(tokens.access_token).sid as string;
    const fresh = await deps.store.getSession(sid);
    // A new session row, but no new proof: its auth time is the browser session's, 8 hours old.
    expect(fresh?.createdAt).toBe(deps.clock.now());
    expect(fresh ? sessionAuthTime(fresh) : null).toBe(old ? sessionAuthTime(old) : -1);
    await expect(
      updateOwnProfile(deps, self, { email: 'thief@evil.test' }, noRequest, {
        authTime: fresh ? sessionAuthTime(fresh) : null,
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(deps.mail.sent.some((m) => JSON.stringify(m).includes('thief@evil.test'))).toBe(false);
  });
});
