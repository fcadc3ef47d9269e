import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../src/core/shared/deps';
import type { UserRecord } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';
import { confirmedTotp } from '../support/mfa-fixtures';
import { totpCodeAt } from '../support/totp-codes';

/**
 * Red team (issue 15), kept as a regression: a step-up or held-back renewal of a session starts
 * a new refresh generation, so the refresh token presented before it (and any copy a thief
 * holds) is spent: its use is a reuse and ends the session, never a silent second chain with
 * the upgraded amr and grants.
 */
const OWNER = { email: 'owner@red-fork.test', password: 'red fork owner passphrase' };
const PASSWORD = 'a member passphrase for the fork';
const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  MFA_REQUIRED_ROLES: 'editor',
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});
let ownerToken: string;
let deps: CoreDeps;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  deps = buildDeps(process.env);
});
const member = async (role: string) => {
  const email = `m${randomUUID().slice(0, 8)}@red-fork.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  return { email, id: made.body.user.id as string };
};
const claims = (t: string) => decodeJwt(t) as { scope: string; amr: string[]; sid: string };

describe('the refresh token presented before a factor is verified on a held-back session', () => {
  it('is dead once the session is renewed with the factor', async () => {
    const editor = await member('editor');
    const api = await call('POST', '/auth/sign-in', {
      json: { login: editor.email, password: PASSWORD },
    });
    expect(api.body.scope).toBe('profile');
    const stolen = api.body.refresh_token as string; // a copy the thief holds too
    const { secret } = await confirmedTotp(
      deps,
      (await deps.store.getUser(editor.id)) as UserRecord,
    );
    const refresh = await call('POST', '/auth/refresh', { json: { refresh_token: stolen } });
    expect(refresh.status).toBe(403);
    const renewed = await call('POST', '/auth/mfa/verify', {
      json: { mfa_token: refresh.body.mfa_token, code: totpCodeAt(secret, Date.now() + 30_000) },
    });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body.scope.split(' ')).toContain('tokens:write');

    // The thief, who never saw a code, refreshes the copy.
    const thief = await call('POST', '/auth/refresh', { json: { refresh_token: stolen } });
    if (thief.status === 200) {
      expect(
        claims(thief.body.access_token).scope,
        'the un-rotated refresh token now carries the full grants and amr mfa',
      ).toBe('profile');
    }
    expect(thief.status).toBe(401);
  });

  it('a step-up by mfa_token does not leave the old refresh token live beside the new one', async () => {
    const viewer = await member('viewer');
    const user = (await deps.store.getUser(viewer.id)) as UserRecord;
    const { secret, codes } = await confirmedTotp(deps, user);
    // A session whose sign-in verified the factor (the ordinary way).
    const first = await call('POST', '/auth/sign-in', {
      json: { login: viewer.email, password: PASSWORD },
    });
    expect(first.status).toBe(403);
    const signedIn = await call('POST', '/auth/mfa/verify', {
      json: { mfa_token: first.body.mfa_token, code: totpCodeAt(secret, Date.now() + 30_000) },
    });
    expect(signedIn.status, signedIn.text).toBe(200);
    const old = signedIn.body.refresh_token as string;
    // Step-up of the same session, via the reauth mfa_token (fake an old session: age it).
    const sid = claims(signedIn.body.access_token).sid;
    const s = await deps.store.getSession(sid);
    if (!s) throw new Error('no session');
    // Ask for a step-up mfa_token directly (as /me/mfa/recovery-codes with an old session would).
    const { issueMfaToken } = await import('../../src/core/mfa');
    const { mfaToken } = await issueMfaToken(deps, viewer.id, {
      method: 'reauth',
      clientId: null,
      sid,
      amr: ['pwd', 'otp', 'mfa'],
    });
    const stepped = await call('POST', '/auth/mfa/verify', {
      json: { mfa_token: mfaToken, code: (codes as string[])[0] },
    });
    expect(stepped.status, stepped.text).toBe(200);
    const forked = await call('POST', '/auth/refresh', { json: { refresh_token: old } });
    const next = await call('POST', '/auth/refresh', {
      json: { refresh_token: stepped.body.refresh_token },
    });
    // Two independent live refresh chains for one sid: both succeed today.
    expect([forked.status, next.status]).not.toEqual([200, 200]);
  });
});
