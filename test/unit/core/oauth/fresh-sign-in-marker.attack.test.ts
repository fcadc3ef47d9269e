import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../../../src/core/users/users';
import { Redirect } from '../../../../src/web/page-handler';
import { authorizePage } from '../../../../src/web/pages/authorize';
import { operatorRegisters } from '../../../support/clients';
import { testDeps } from '../../../support/core-deps';
import { pageRequest } from '../../../support/page-request';
import { createUserWithPassword } from '../../../support/users';

/**
 * Red team 14: `signed_in_after` is read from the (front-channel) authorization request, so
 * whoever holds the browser (a walk-up attacker on an unlocked session the RP asks to
 * re-authenticate) can add `signed_in_after=0` and skip prompt=login / max_age entirely.
 */
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const setUp = async () => {
  const deps = testDeps();
  const client = await operatorRegisters(deps, {
    name: 'rp',
    grant_types: ['authorization_code'],
    confidential: false,
    first_party: true,
    redirect_uris: ['https://rp.example.com/cb'],
  });
  const user = await createUserWithPassword(deps, { email: 'ann@example.com', role: 'viewer' });
  const staleRequest = (query: Record<string, string>, signedIn: UserRecord) => {
    const request = pageRequest(deps, {
      path: '/oauth/authorize',
      query,
      user: signedIn,
      sid: 's',
    });
    // The browser session authenticated two hours ago.
    const twoHoursAgo = deps.clock.now() - 2 * 3600_000;
    Object.assign(request.signedIn?.session ?? {}, {
      authTime: twoHoursAgo,
      createdAt: twoHoursAgo,
    });
    return request;
  };
  const good = {
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: 'https://rp.example.com/cb',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    state: 'st-1',
  };
  return { user, staleRequest, good };
};

const outcome = async (promise: Promise<unknown>) => {
  const result = await promise.catch((error: unknown) => error);
  if (result instanceof Redirect) return `sign-in: ${result.result.headers.location}`;
  return `back: ${(result as { headers: { location: string } }).headers.location}`;
};

describe('prompt=login / max_age with a forged signed_in_after', () => {
  it('control: prompt=login over a stale session sends to sign-in', async () => {
    const { user, staleRequest, good } = await setUp();
    expect(await outcome(authorizePage(staleRequest({ ...good, prompt: 'login' }, user)))).toMatch(
      /^sign-in: /,
    );
  });

  it('prompt=login&signed_in_after=0 must still demand a fresh sign-in (no code)', async () => {
    const { user, staleRequest, good } = await setUp();
    const result = await outcome(
      authorizePage(staleRequest({ ...good, prompt: 'login', signed_in_after: '0' }, user)),
    );
    expect(result).toMatch(/^sign-in: /);
  });

  it('max_age=0&signed_in_after=1 must still demand a fresh sign-in (no code)', async () => {
    const { user, staleRequest, good } = await setUp();
    const result = await outcome(
      authorizePage(staleRequest({ ...good, max_age: '0', signed_in_after: '1' }, user)),
    );
    expect(result).toMatch(/^sign-in: /);
  });

  it('prompt=none&max_age=0&signed_in_after=0 must be login_required, not a code', async () => {
    const { user, staleRequest, good } = await setUp();
    const result = await outcome(
      authorizePage(
        staleRequest({ ...good, prompt: 'none', max_age: '0', signed_in_after: '0' }, user),
      ),
    );
    expect(result).toContain('error=login_required');
  });
});
