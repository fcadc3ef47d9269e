import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  endAllSessions,
  endSessionByRefreshToken,
  rotateRefreshToken,
  startSession,
} from '../../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { createAccessTokenVerifier } from '../../../../src/core/tokens/access-token-verifier';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { createUserWithPassword, PASSWORD } from '../../../support/users';

const AUTH = { endpoint: 'auth' } as const;

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

const verifierFor = (deps: TestDeps) => {
  const [key] = deps.keySet.keys;
  const publicKey = createPublicKey({ key: { ...key?.publicJwk }, format: 'jwk' });
  return createAccessTokenVerifier(() => publicKey, {
    issuer: deps.config.issuerUrl,
    audience: deps.config.audience,
    clockToleranceSeconds: 0,
    now: deps.clock.now,
    cacheSize: 0,
  });
};

const signIn = async (deps: TestDeps) => {
  const user = await createUserWithPassword(deps, { role: 'editor' });
  return {
    user,
    tokens: await signInWithPassword(deps, { login: user.email, password: PASSWORD }),
  };
};

describe('sessions', () => {
  it("never lets an access token outlive its session: exp and expires_in stop at the session's end", async () => {
    const deps = testDeps({ SESSION_TTL_SECONDS: '3000' });
    const { tokens } = await signIn(deps);
    deps.clock.advance(2900);
    const refreshed = await rotateRefreshToken(deps, tokens.refresh_token, AUTH);
    const claims = verifierFor(deps).verify(refreshed.access_token);
    expect(claims.exp - claims.iat).toBe(100);
    expect(refreshed.expires_in).toBe(100);
    expect(tokens.expires_in).toBe(900);
  });

  it('issues an access token with the contract claims and header', async () => {
    const deps = testDeps();
    const { user, tokens } = await signIn(deps);
    const [header] = tokens.access_token.split('.');
    expect(JSON.parse(Buffer.from(header as string, 'base64url').toString())).toEqual({
      alg: 'ES256',
      typ: 'at+jwt',
      kid: deps.keySet.keys[0]?.kid,
    });
    const claims = verifierFor(deps).verify(tokens.access_token);
    const now = Math.floor(deps.clock.now() / 1000);
    expect(claims).toMatchObject({
      iss: 'https://auth.example.com',
      aud: 'https://auth.example.com',
      sub: user.id,
      iat: now,
      exp: now + 900,
      role: 'editor',
      username: user.username,
      email: user.email,
      user_type: 'human',
      groups: [],
      amr: ['pwd'],
      auth_time: now,
    });
    expect(claims.scope.split(' ')).toEqual(expect.arrayContaining(['profile', 'create_session']));
    expect(claims.scope.split(' ')).not.toContain('users:read');
    expect(claims.jti).toBeTruthy();
    expect(claims.sid).toBeTruthy();
  });

  it('rotates the refresh token on every use and keeps the sid', async () => {
    const deps = testDeps();
    const { tokens } = await signIn(deps);
    const sid = verifierFor(deps).verify(tokens.access_token).sid;
    const next = await rotateRefreshToken(deps, tokens.refresh_token, AUTH);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(verifierFor(deps).verify(next.access_token).sid).toBe(sid);
    const third = await rotateRefreshToken(deps, next.refresh_token, AUTH);
    expect(verifierFor(deps).verify(third.access_token).sid).toBe(sid);
  });

  it('keeps the sign-in’s amr and auth_time in every refreshed access token', async () => {
    const deps = testDeps();
    const { tokens } = await signIn(deps);
    const signedInAt = Math.floor(deps.clock.now() / 1000);
    deps.clock.advance(60);
    const next = await rotateRefreshToken(deps, tokens.refresh_token, AUTH);
    const claims = verifierFor(deps).verify(next.access_token);
    expect(claims.auth_time).toBe(signedInAt);
    expect(claims.iat).toBe(signedInAt + 60);
    expect(claims.amr).toEqual(['pwd']);
  });

  it('revokes the whole session when a rotated refresh token is used again', async () => {
    const deps = testDeps();
    const { tokens } = await signIn(deps);
    const next = await rotateRefreshToken(deps, tokens.refresh_token, AUTH);
    expect(await refusal(rotateRefreshToken(deps, tokens.refresh_token, AUTH))).toBe(
      'token_invalid',
    );
    // The legitimate holder's newer token dies with the session.
    expect(await refusal(rotateRefreshToken(deps, next.refresh_token, AUTH))).toBe('token_invalid');
  });

  it('ends at the absolute session lifetime, however often it is refreshed', async () => {
    const deps = testDeps({ SESSION_TTL_SECONDS: '3600' });
    const { tokens } = await signIn(deps);
    deps.clock.advance(1800);
    const next = await rotateRefreshToken(deps, tokens.refresh_token, AUTH);
    deps.clock.advance(1800);
    expect(await refusal(rotateRefreshToken(deps, next.refresh_token, AUTH))).toBe('token_invalid');
  });

  it('refuses malformed and unknown refresh tokens', async () => {
    const deps = testDeps();
    for (const bad of ['', 'srt_short', `srt_${'A'.repeat(43)}`, `xyz_${'A'.repeat(43)}`]) {
      expect(await refusal(rotateRefreshToken(deps, bad, AUTH))).toBe('token_invalid');
    }
  });

  it('signs out one session by its refresh token', async () => {
    const deps = testDeps();
    const { user, tokens } = await signIn(deps);
    const other = await signInWithPassword(deps, { login: user.email, password: PASSWORD });
    await endSessionByRefreshToken(deps, tokens.refresh_token);
    expect(await refusal(rotateRefreshToken(deps, tokens.refresh_token, AUTH))).toBe(
      'token_invalid',
    );
    expect(await refusal(rotateRefreshToken(deps, other.refresh_token, AUTH))).toBe('accepted');
    await endSessionByRefreshToken(deps, 'srt_unknown'); // ignored, as RFC 7009 does
  });

  it('signs out everywhere', async () => {
    const deps = testDeps();
    const { user, tokens } = await signIn(deps);
    const other = await signInWithPassword(deps, { login: user.email, password: PASSWORD });
    expect(await endAllSessions(deps, user.id)).toBe(2);
    expect(await refusal(rotateRefreshToken(deps, tokens.refresh_token, AUTH))).toBe(
      'token_invalid',
    );
    expect(await refusal(rotateRefreshToken(deps, other.refresh_token, AUTH))).toBe(
      'token_invalid',
    );
  });

  it('stops refreshing for a user who was disabled since', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    const tokens = await startSession(deps, user);
    // The port has no status change yet (user management comes later): stand one in.
    const getUser = deps.store.getUser;
    deps.store.getUser = async (id) => {
      const stored = await getUser(id);
      return stored && { ...stored, status: 'disabled' };
    };
    expect(await refusal(rotateRefreshToken(deps, tokens.refresh_token, AUTH))).toBe(
      'account_disabled',
    );
  });
});
