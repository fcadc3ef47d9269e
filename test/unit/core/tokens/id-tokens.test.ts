import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../../../src/core/oauth/authorization-codes';
import { issueClientToken } from '../../../../src/core/oauth/client-credentials';
import type { ClientRecord } from '../../../../src/core/oauth/clients';
import { rotateRefreshToken, startSession } from '../../../../src/core/sessions/sessions';
import type { AccessTokenClaims } from '../../../../src/core/tokens/access-tokens';
import { accessTokenHash } from '../../../../src/core/tokens/id-tokens';
import { publicJwks } from '../../../../src/core/tokens/signing-keys';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { pkcePair, storedClient, verifyWithDeps } from '../../../support/oauth-fixtures';
import { aUser } from '../../../support/users';

const REDIRECT = 'https://app.example.com/callback';
const AUTH_TIME = Date.UTC(2025, 11, 31, 23, 0, 0);

/** Verifies an ID token as a relying party does: jose against the published JWKS. */
const verifyIdToken = async (deps: TestDeps, token: string, audience: string) => {
  const { payload, protectedHeader } = await jwtVerify(
    token,
    createLocalJWKSet(publicJwks(deps.keySet)),
    {
      issuer: deps.config.issuerUrl,
      audience,
      typ: 'JWT',
      currentDate: new Date(deps.clock.now()),
    },
  );
  return { payload, protectedHeader };
};

const codeFlow = async (
  deps: TestDeps,
  options: { scope: string[]; nonce?: string; client?: Partial<ClientRecord> },
) => {
  const user = aUser({
    role: 'editor',
    name: 'Ada Lovelace',
    username: 'ada',
    emailVerified: true,
  });
  await deps.store.createUser(user);
  const client = await storedClient(deps, options.client);
  const pkce = pkcePair();
  const code = await issueAuthorizationCode(deps, {
    clientId: client.clientId,
    redirectUri: REDIRECT,
    codeChallenge: pkce.challenge,
    userId: user.id,
    scope: options.scope,
    authTime: AUTH_TIME,
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
  });
  const tokens = await exchangeAuthorizationCode(deps, {
    code,
    clientId: client.clientId,
    redirectUri: REDIRECT,
    codeVerifier: pkce.verifier,
  });
  return { user, client, tokens };
};

describe('at_hash (OIDC Core 3.1.3.6)', () => {
  it('is the left half of SHA-256 of the access token: the spec example', () => {
    // OpenID Connect Core 1.0, Appendix A.3 / A.4 (RS256).
    expect(accessTokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe(
      '77QmUPtjPfzWtF2AnpK9RQ',
    );
    // ES256 hashes with SHA-256 too: the same value.
    expect(accessTokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'ES256')).toBe(
      '77QmUPtjPfzWtF2AnpK9RQ',
    );
    // The same rule makes the spec's c_hash example (Appendix A.4) from its code.
    expect(
      accessTokenHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256'),
    ).toBe('LDktKdoQak3Pk0cnXxCltA');
  });
});

describe('ID tokens', () => {
  it('code flow with openid, profile, email and a nonce: every claim, RS256 by default', async () => {
    const deps = testDeps();
    const { user, client, tokens } = await codeFlow(deps, {
      scope: ['openid', 'profile', 'email'],
      nonce: 'n-0S6_WzA2Mj',
    });
    const idToken = tokens.id_token ?? '';
    const { payload, protectedHeader } = await verifyIdToken(deps, idToken, client.clientId);
    const rsaKey = deps.keySet.keys.find((key) => key.publicJwk.alg === 'RS256');
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: rsaKey?.kid });
    const iat = Math.floor(deps.clock.now() / 1000);
    expect(payload).toEqual({
      iss: deps.config.issuerUrl,
      sub: user.id,
      aud: client.clientId,
      azp: client.clientId,
      iat,
      exp: iat + deps.config.accessTokenTtlSeconds,
      auth_time: AUTH_TIME / 1000,
      amr: ['pwd'],
      at_hash: accessTokenHash(tokens.access_token, 'RS256'),
      nonce: 'n-0S6_WzA2Mj',
      email: user.email,
      email_verified: true,
      name: 'Ada Lovelace',
      preferred_username: 'ada',
      updated_at: Math.floor(user.updatedAt / 1000),
    });
  });

  it('carries only the claims of the granted scopes, and no nonce when none was sent', async () => {
    const deps = testDeps();
    const { client, tokens } = await codeFlow(deps, { scope: ['openid'] });
    const { payload } = await verifyIdToken(deps, tokens.id_token ?? '', client.clientId);
    expect(Object.keys(payload).sort()).toEqual(
      ['amr', 'at_hash', 'aud', 'auth_time', 'azp', 'exp', 'iat', 'iss', 'sub'].sort(),
    );
    const emailDeps = testDeps();
    const withEmail = await codeFlow(emailDeps, { scope: ['openid', 'email'] });
    const emailClaims = await verifyIdToken(
      emailDeps,
      withEmail.tokens.id_token ?? '',
      withEmail.client.clientId,
    );
    expect(emailClaims.payload).toMatchObject({ email: withEmail.user.email });
    expect(emailClaims.payload).not.toHaveProperty('name');
    expect(emailClaims.payload).not.toHaveProperty('preferred_username');
  });

  it('is ES256 when the client registered id_token_signed_response_alg ES256', async () => {
    const deps = testDeps();
    const { client, tokens } = await codeFlow(deps, {
      scope: ['openid'],
      client: { idTokenSignedResponseAlg: 'ES256' },
    });
    const { protectedHeader } = await verifyIdToken(deps, tokens.id_token ?? '', client.clientId);
    expect(protectedHeader).toMatchObject({
      alg: 'ES256',
      typ: 'JWT',
      kid: deps.keySet.keys[0]?.kid,
    });
  });

  it('is absent without openid', async () => {
    const { tokens } = await codeFlow(testDeps(), { scope: ['profile'] });
    expect(tokens).not.toHaveProperty('id_token');
  });

  it('on refresh keeps sub, auth_time and amr, drops the nonce, and hashes the new access token', async () => {
    const deps = testDeps();
    const { client, tokens } = await codeFlow(deps, {
      scope: ['openid', 'email'],
      nonce: 'first-nonce',
    });
    const first = (await verifyIdToken(deps, tokens.id_token ?? '', client.clientId)).payload;
    deps.clock.advance(600);
    const refreshed = await rotateRefreshToken(deps, tokens.refresh_token, {
      endpoint: 'oauth',
      client,
    });
    const second = (await verifyIdToken(deps, refreshed.id_token ?? '', client.clientId)).payload;
    expect(second).toMatchObject({ sub: first.sub, auth_time: first.auth_time, amr: first.amr });
    expect(second).not.toHaveProperty('nonce');
    expect(second.iat).toBe((first.iat ?? 0) + 600);
    expect(second.at_hash).toBe(accessTokenHash(refreshed.access_token, 'RS256'));
  });

  it('claims no method for a federated sign-in (the provider is not trusted for its amr)', async () => {
    const deps = testDeps();
    const user = aUser();
    await deps.store.createUser(user);
    const client = await storedClient(deps);
    const tokens = await startSession(deps, user, client.clientId, {
      scope: ['openid'],
      origin: 'provider',
    });
    const { payload } = await verifyIdToken(deps, tokens.id_token ?? '', client.clientId);
    // API.md: the provider's values only when it is trusted for them (issue 15), else none.
    expect(payload.amr).toEqual([]);
  });

  it('is never issued to a client-less session, at sign-in or on refresh', async () => {
    const deps = testDeps();
    const user = aUser();
    await deps.store.createUser(user);
    const tokens = await startSession(deps, user, null, { scope: ['openid', 'profile'] });
    expect(tokens).not.toHaveProperty('id_token');
    const client = await storedClient(deps);
    // A client may refresh a sign-in's token (contract), but it gets no ID token for it.
    const refreshed = await rotateRefreshToken(deps, tokens.refresh_token, {
      endpoint: 'oauth',
      client,
    });
    expect(refreshed).not.toHaveProperty('id_token');
    const again = await rotateRefreshToken(deps, refreshed.refresh_token, { endpoint: 'auth' });
    expect(again).not.toHaveProperty('id_token');
  });

  it('is never issued on client_credentials', async () => {
    const deps = testDeps();
    const service = aUser({ type: 'machine' });
    await deps.store.createUser(service);
    const client = await storedClient(deps, {
      confidential: true,
      grantTypes: ['client_credentials'],
      serviceUserId: service.id,
    });
    const token = await issueClientToken(deps, client, 'openid', noRequest);
    expect(token).not.toHaveProperty('id_token');
  });

  it('is refused as an access token (its typ is JWT, not at+jwt)', async () => {
    const deps = testDeps();
    const { client, tokens } = await codeFlow(deps, {
      scope: ['openid'],
      client: { idTokenSignedResponseAlg: 'ES256' },
    });
    expect(decodeProtectedHeader(tokens.id_token ?? '').typ).toBe('JWT');
    const asBearer = verifyWithDeps(deps)(tokens.id_token ?? '');
    await expect(asBearer).rejects.toMatchObject({
      code: 'token_invalid',
      message: 'The access token is not an access token.',
    });
    const claims: AccessTokenClaims = await verifyWithDeps(deps)(tokens.access_token);
    expect(claims.client_id).toBe(client.clientId);
  });
});
