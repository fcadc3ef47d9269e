import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/core/shared/config';

describe('settings', () => {
  it('has secure defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      issuerUrl: 'http://localhost:3000',
      audience: 'http://localhost:3000',
      requireUserAuthentication: true,
      passwordLoginEnabled: true,
      accessTokenTtlSeconds: 900,
      sessionTtlSeconds: 2_592_000,
      passwordMinLength: 12,
      lockout: { threshold: 5, maxSeconds: 900 },
    });
    expect(config.bcryptCost).toBeGreaterThanOrEqual(10);
    expect(config.defaultOwner.password).toBeUndefined();
  });

  it('derives the issuer from PORT, and the audience from the issuer', () => {
    expect(loadConfig({ PORT: '4000' }).issuerUrl).toBe('http://localhost:4000');
    const config = loadConfig({
      ISSUER_URL: 'https://auth.example.com/',
      ACCESS_TOKEN_AUDIENCE: 'api://things',
    });
    expect(config).toMatchObject({
      issuerUrl: 'https://auth.example.com',
      audience: 'api://things',
    });
  });

  it('turns authentication off only on an explicit 0', () => {
    expect(loadConfig({ REQUIRE_USER_AUTHENTICATION: '0' }).requireUserAuthentication).toBe(false);
    expect(loadConfig({ REQUIRE_USER_AUTHENTICATION: '1' }).requireUserAuthentication).toBe(true);
    expect(loadConfig({ REQUIRE_USER_AUTHENTICATION: '' }).requireUserAuthentication).toBe(true);
  });

  it.each([
    ['BCRYPT_COST', '9'],
    ['ACCESS_TOKEN_TTL_SECONDS', 'soon'],
    ['ISSUER_URL', 'not a url'],
    ['DEFAULT_OWNER_EMAIL', 'nobody'],
    ['PASSWORD_LOGIN_ENABLED', 'maybe'],
  ])('refuses a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe('WebAuthn settings', () => {
  it('default to the issuer: its host as rp id, its origin as the one origin', () => {
    expect(loadConfig({ ISSUER_URL: 'https://auth.example.com/base' }).webauthn).toEqual({
      rpId: 'auth.example.com',
      rpName: 'Gatehouse',
      origins: ['https://auth.example.com'],
    });
  });

  it('take WEBAUTHN_RP_ID and a comma-separated WEBAUTHN_ORIGINS', () => {
    const { webauthn } = loadConfig({
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'https://auth.example.com, https://app.example.com',
    });
    expect(webauthn.rpId).toBe('example.com');
    expect(webauthn.origins).toEqual(['https://auth.example.com', 'https://app.example.com']);
  });

  it.each([
    ['WEBAUTHN_ORIGINS', 'https://auth.example.com/path'],
    ['WEBAUTHN_ORIGINS', 'not a url'],
    ['WEBAUTHN_RP_ID', 'https://example.com'],
  ])('refuses a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});

describe('the WebAuthn relying party, as browsers check it', () => {
  it.each([
    ['example.com', 'https://auth.example.com'],
    ['auth.example.com', 'https://auth.example.com:8443'],
    ['localhost', 'http://localhost:3000'],
    ['127.0.0.1', 'http://127.0.0.1:8080'],
  ])('takes rp id %s for %s', (rpId, origin) => {
    const config = loadConfig({ WEBAUTHN_RP_ID: rpId, WEBAUTHN_ORIGINS: origin });
    expect(config.webauthn).toMatchObject({ rpId, origins: [origin] });
  });

  it.each([
    // Not the host nor a suffix of it: every registration would fail in the browser.
    ['WEBAUTHN_RP_ID', 'other.com', 'https://auth.example.com'],
    ['WEBAUTHN_RP_ID', 'ample.com', 'https://auth.example.com'],
    ['WEBAUTHN_RP_ID', 'app.example.com', 'https://auth.example.com'],
    ['WEBAUTHN_RP_ID', 'com', 'https://auth.example.com'],
    // The second origin is outside the rp id.
    ['WEBAUTHN_RP_ID', 'example.com', 'https://auth.example.com,https://evil.test'],
    // Plain http only on this machine.
    ['WEBAUTHN_ORIGINS', 'example.com', 'http://auth.example.com'],
    ['WEBAUTHN_ORIGINS', 'localhost.example.com', 'http://localhost.example.com'],
  ])('refuses a bad %s (rp id %s, origins %s) at start, in one line', (name, rpId, origins) => {
    const load = () => loadConfig({ WEBAUTHN_RP_ID: rpId, WEBAUTHN_ORIGINS: origins });
    expect(load).toThrow(name);
    expect(() => load()).toThrow(/^Invalid settings: [^\n]+$/);
  });

  it('checks the default origin (the issuer’s) against WEBAUTHN_RP_ID too', () => {
    expect(() =>
      loadConfig({ ISSUER_URL: 'https://auth.example.com', WEBAUTHN_RP_ID: 'other.com' }),
    ).toThrow('WEBAUTHN_RP_ID');
    expect(() =>
      loadConfig({ ISSUER_URL: 'http://auth.example.com', WEBAUTHN_RP_ID: 'auth.example.com' }),
    ).toThrow('WEBAUTHN_ORIGINS');
  });

  it('starts with an http issuer on a LAN host when the relying party is left to its defaults', () => {
    expect(loadConfig({ ISSUER_URL: 'http://gatehouse.lan:3000' }).webauthn.rpId).toBe(
      'gatehouse.lan',
    );
  });
});
