import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueAuthorizationCode } from '../../src/core/oauth/authorization-codes';
import type { CoreDeps } from '../../src/core/shared/deps';
import type { UserRecord } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';
import { confirmedTotp } from '../support/mfa-fixtures';
import { basicAuth, firstPartyApp, pkcePair } from '../support/oauth';
import { totpCodeAt } from '../support/totp-codes';

// Sign-in with a second factor over HTTP on DynamoDB Local. Factors are enrolled with the core
// (the /me/mfa routes are another lane's), codes computed by otpauth from the real clock.
const OWNER = { email: 'owner@mfa-signin.test', password: 'mfa sign-in owner passphrase' };
const PASSWORD = 'a member passphrase 123';
const MFA_GRANT = 'urn:gatehouse:grant-type:mfa';
const SPA_CB = 'https://spa.mfa-signin.test/cb';

const { call, signIn, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  LOCKOUT_THRESHOLD: '5',
  LOCKOUT_BASE_SECONDS: '2',
  MFA_REQUIRED_ROLES: 'editor',
  // Only the lockout may answer 429 here.
  RATE_LIMIT_PER_IP: '0',
});

let ownerToken: string;
let deps: CoreDeps;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  deps = buildDeps(process.env);
});

const newMember = async (role = 'viewer') => {
  const email = `m${randomUUID().slice(0, 8)}@mfa-signin.test`;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(reply.status, reply.text).toBe(201);
  return { email, id: reply.body.user.id as string };
};

/** Enrols and confirms a TOTP factor for the member, as /me/mfa will. */
const withTotp = async (id: string) =>
  confirmedTotp(deps, (await deps.store.getUser(id)) as UserRecord);

/** The next step's code: after the confirming one (never a replay), within the drift. */
const nextCode = (secret: string) => totpCodeAt(secret, Date.now() + 30_000);

const passwordStep = (login: string, password = PASSWORD) =>
  call('POST', '/auth/sign-in', { json: { login, password } });
const verify = (mfaToken: string, code: string) =>
  call('POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code } });

const claims = (token: string) =>
  decodeJwt(token) as { amr: string[]; scope: string; sid: string; client_id?: string };
const amrOf = (token: string) => [...claims(token).amr].sort();

describe('sign-in with a second factor over HTTP', () => {
  it('answers a user without factors exactly as before', async () => {
    const member = await newMember();
    const reply = await passwordStep(member.email);
    expect(reply.status, reply.text).toBe(200);
    expect(Object.keys(reply.body).sort()).toEqual(
      ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type', 'user'].sort(),
    );
    expect(amrOf(reply.body.access_token)).toEqual(['pwd']);
    expect(reply.body.user.mfa).toEqual({ enrolled: false, types: [] });
  });

  it('answers 403 mfa_required with an mfa_token for the right password, then the sign-in shape for the code', async () => {
    const member = await newMember();
    const { factorId, secret } = await withTotp(member.id);
    const wrong = await passwordStep(member.email, 'not the password at all');
    expect(wrong.status).toBe(401);
    const required = await passwordStep(member.email);
    expect(required.status, required.text).toBe(403);
    expect(required.headers.get('cache-control')).toBe('no-store');
    expect(required.body).toEqual({
      error: { code: 'mfa_required', message: expect.any(String) },
      mfa_token: expect.stringMatching(/^mft_[A-Za-z0-9_-]{43}$/),
      factors: [{ factor_id: factorId, type: 'totp' }],
    });
    const code = nextCode(secret);
    const done = await verify(required.body.mfa_token, code);
    expect(done.status, done.text).toBe(200);
    expect(done.body.token_type).toBe('Bearer');
    expect(done.body.user.id).toBe(member.id);
    expect(done.body.user.mfa).toEqual({ enrolled: true, types: ['totp'] });
    expect(amrOf(done.body.access_token)).toEqual(['mfa', 'otp', 'pwd']);
    // The mfa_token is single-use; the code is spent (a replay with a new token is refused).
    const again = await verify(required.body.mfa_token, code);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('token_invalid');
    const fresh = await passwordStep(member.email);
    expect(fresh.status).toBe(403);
    const replayed = await verify(fresh.body.mfa_token, code);
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('invalid_credentials');
    // amr is kept through refresh.
    const refreshed = await call('POST', '/auth/refresh', {
      json: { refresh_token: done.body.refresh_token },
    });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(amrOf(refreshed.body.access_token)).toEqual(['mfa', 'otp', 'pwd']);
    // Every attempt is audited as mfa.challenge, the user as actor and target, no secret.
    const audit = await call(
      'GET',
      `/audit?action=mfa.challenge&target_id=${encodeURIComponent(member.id)}`,
      { token: ownerToken },
    );
    expect(audit.status, audit.text).toBe(200);
    const outcomes = audit.body.events.map((e: { outcome: string }) => e.outcome).sort();
    expect(outcomes).toEqual(['failure', 'failure', 'success']);
    expect(audit.text).not.toContain(code);
    expect(audit.text).not.toContain(required.body.mfa_token);
  });

  it('takes each recovery code once', async () => {
    const member = await newMember();
    const { codes } = await withTotp(member.id);
    const recovery = (codes as string[])[3] as string;
    const first = await passwordStep(member.email);
    const done = await verify(first.body.mfa_token, recovery);
    expect(done.status, done.text).toBe(200);
    expect(amrOf(done.body.access_token)).toEqual(['mfa', 'otp', 'pwd']);
    const second = await passwordStep(member.email);
    const reused = await verify(second.body.mfa_token, recovery);
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('invalid_credentials');
  });

  it('lets 20 concurrent verifies of one token and code open at most one session', async () => {
    const member = await newMember();
    const { secret } = await withTotp(member.id);
    const required = await passwordStep(member.email);
    const code = nextCode(secret);
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => verify(required.body.mfa_token, code)),
    );
    const statuses = replies.map((r) => r.status);
    // Every attempt counts before any check (threshold 5 here): the burst may lock the account
    // before the winner's spend, which then fails closed. Never two sessions, never a 5xx.
    const opened = statuses.filter((s) => s === 200).length;
    expect(opened).toBeLessThanOrEqual(1);
    expect(statuses.filter((s) => s !== 200 && s !== 401 && s !== 429)).toEqual([]);
    // The user's live sessions are exactly the ones answered (the sweep counts what it ends).
    expect(await deps.store.revokeUserSessions(member.id, Date.now())).toBe(opened);
  });

  it('counts wrong codes toward the lockout: 429 while locked, and the token is dead after', async () => {
    const member = await newMember();
    const { secret } = await withTotp(member.id);
    // The right password with a factor does not clear the count: it is one attempt.
    const required = await passwordStep(member.email);
    expect(required.status).toBe(403);
    const token = required.body.mfa_token;
    for (let i = 0; i < 4; i++) {
      const wrong = await verify(token, 'abcde-fghij');
      expect(wrong.status, wrong.text).toBe(401);
      expect(wrong.body.error.code).toBe('invalid_credentials');
    }
    const locked = await verify(token, nextCode(secret));
    expect(locked.status, locked.text).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect((await passwordStep(member.email)).status).toBe(429);
    // After the lock, the token issued before it is dead, even with a right code.
    await new Promise((wait) => setTimeout(wait, (retryAfter + 1) * 1000));
    const dead = await verify(token, nextCode(secret));
    expect(dead.status, dead.text).toBe(401);
    expect(dead.body.error.code).toBe('token_invalid');
  }, 30_000);

  it('answers the TOTP factor challenge record_invalid, the mfa_token left unspent', async () => {
    const member = await newMember();
    const { factorId, secret } = await withTotp(member.id);
    const required = await passwordStep(member.email);
    const challenge = (factor_id: string, mfa_token = required.body.mfa_token) =>
      call('POST', '/auth/mfa/challenge', { json: { mfa_token, factor_id } });
    const totp = await challenge(factorId);
    expect(totp.status, totp.text).toBe(400);
    expect(totp.body.error.code).toBe('record_invalid');
    expect((await challenge('no-such-factor')).status).toBe(404);
    expect((await challenge(factorId, `mft_${'x'.repeat(43)}`)).status).toBe(401);
    expect((await verify(required.body.mfa_token, nextCode(secret))).status).toBe(200);
  });
});

describe('the password grant and the MFA grant', () => {
  const passwordClient = async (name: string) => {
    const registered = await registerClient(ownerToken, {
      name,
      grant_types: ['password', 'refresh_token'],
      confidential: true,
      first_party: true,
    });
    return {
      id: registered.client_id,
      basic: { authorization: basicAuth(registered.client_id, registered.client_secret as string) },
    };
  };

  it('answers mfa_required, and finishes only with the same client', async () => {
    const member = await newMember();
    const { secret } = await withTotp(member.id);
    const app = await passwordClient('MFA app');
    const other = await passwordClient('Another app');
    const required = await tokenEndpoint(
      {
        grant_type: 'password',
        username: member.email,
        password: PASSWORD,
        scope: 'openid profile',
      },
      app.basic,
    );
    expect(required.status, required.text).toBe(403);
    expect(required.body).toEqual({
      error: 'mfa_required',
      error_description: expect.any(String),
      mfa_token: expect.stringMatching(/^mft_/),
      factors: [{ factor_id: expect.any(String), type: 'totp' }],
    });
    const code = nextCode(secret);
    const finish = (client: { basic: Record<string, string> }) =>
      tokenEndpoint(
        { grant_type: MFA_GRANT, mfa_token: required.body.mfa_token, code },
        client.basic,
      );
    // Another client, and the client-less route, are refused without spending the token.
    const stolen = await finish(other);
    expect(stolen.status, stolen.text).toBe(400);
    expect(stolen.body.error).toBe('invalid_grant');
    const api = await verify(required.body.mfa_token, code);
    expect(api.status).toBe(401);
    const done = await finish(app);
    expect(done.status, done.text).toBe(200);
    expect(done.body.scope).toBe('openid profile');
    expect(claims(done.body.access_token).client_id).toBe(app.id);
    expect(amrOf(done.body.access_token)).toEqual(['mfa', 'otp', 'pwd']);
    expect([...(decodeJwt(done.body.id_token).amr as string[])].sort()).toEqual([
      'mfa',
      'otp',
      'pwd',
    ]);
    // The session is the client's: refreshed by it, with amr kept.
    const refreshed = await tokenEndpoint(
      { grant_type: 'refresh_token', refresh_token: done.body.refresh_token },
      app.basic,
    );
    expect(refreshed.status, refreshed.text).toBe(200);
    expect([...(decodeJwt(refreshed.body.id_token).amr as string[])].sort()).toEqual([
      'mfa',
      'otp',
      'pwd',
    ]);
  });
});

describe('MFA_REQUIRED_ROLES', () => {
  it('gives only profile to a login without a factor, on every path, until a factor is verified', async () => {
    const editor = await newMember('editor');
    const api = await passwordStep(editor.email);
    expect(api.status, api.text).toBe(200);
    expect(api.body.scope).toBe('profile');
    expect(claims(api.body.access_token).scope).toBe('profile');
    expect((await call('GET', '/tokens', { token: api.body.access_token })).status).toBe(403);
    const app = await registerClient(ownerToken, {
      name: 'Editor app',
      grant_types: ['password'],
      confidential: true,
      first_party: true,
    });
    const grant = await tokenEndpoint(
      { grant_type: 'password', username: editor.email, password: PASSWORD },
      { authorization: basicAuth(app.client_id, app.client_secret as string) },
    );
    expect(grant.status, grant.text).toBe(200);
    expect(grant.body.scope).toBe('profile');
    // A factor confirmed: this session's next refresh asks for it, then carries the full grants.
    const { secret } = await withTotp(editor.id);
    const refresh = await call('POST', '/auth/refresh', {
      json: { refresh_token: api.body.refresh_token },
    });
    expect(refresh.status, refresh.text).toBe(403);
    expect(refresh.body.error.code).toBe('mfa_required');
    const renewed = await verify(refresh.body.mfa_token, nextCode(secret));
    expect(renewed.status, renewed.text).toBe(200);
    expect(claims(renewed.body.access_token).sid).toBe(claims(api.body.access_token).sid);
    expect(amrOf(renewed.body.access_token)).toEqual(['mfa', 'otp', 'pwd']);
    expect(renewed.body.scope.split(' ')).toContain('create_session');
    expect((await call('GET', '/tokens', { token: renewed.body.access_token })).status).toBe(200);
    const later = await call('POST', '/auth/refresh', {
      json: { refresh_token: renewed.body.refresh_token },
    });
    expect(later.status, later.text).toBe(200);
    expect(later.body.scope).toBe(renewed.body.scope);
  });

  it('holds back a code-flow session unless the approving session verified a factor', async () => {
    const editor = await newMember('editor');
    const spa = await registerClient(ownerToken, firstPartyApp('Editor SPA', SPA_CB));
    const exchange = async (amr?: string[]) => {
      const { verifier, challenge } = pkcePair();
      // What the hosted pages do for a signed-in browser: a code carrying its session's amr.
      const code = await issueAuthorizationCode(deps, {
        clientId: spa.client_id,
        redirectUri: SPA_CB,
        codeChallenge: challenge,
        userId: editor.id,
        scope: ['profile', 'tokens:read'],
        ...(amr ? { amr } : {}),
      });
      return tokenEndpoint({
        grant_type: 'authorization_code',
        code,
        redirect_uri: SPA_CB,
        client_id: spa.client_id,
        code_verifier: verifier,
      });
    };
    const password = await exchange(['pwd']);
    expect(password.status, password.text).toBe(200);
    expect(password.body.scope).toBe('profile');
    const verified = await exchange(['pwd', 'otp', 'mfa']);
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.scope).toBe('profile tokens:read');
    expect(amrOf(verified.body.access_token)).toEqual(['mfa', 'otp', 'pwd']);
  });
});
