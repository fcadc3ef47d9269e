import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { Secret, TOTP } from 'otpauth';
import type { WebClient } from './web-client';

export const REDIRECT_URI = 'https://spa.capacity.example.com/cb';

/** A fresh PKCE verifier and its S256 challenge. */
export const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** `count` calls of `make`, `width` at a time, in order of their index. */
export const inBatches = async <T>(
  count: number,
  width: number,
  make: (index: number) => Promise<T>,
): Promise<T[]> => {
  const made: T[] = [];
  for (let start = 0; start < count; start += width) {
    const batch = Array.from({ length: Math.min(width, count - start) }, (_, at) => start + at);
    made.push(...(await Promise.all(batch.map(make))));
  }
  return made;
};

/** Password-less users, as an owner invites them: the listing's population. */
export const seedUsers = (client: WebClient, ownerToken: string, count: number) =>
  inBatches(count, 8, (index) =>
    client.call('POST', '/users', {
      bearer: ownerToken,
      json: { email: `member${index}@capacity.example.com`, role: 'viewer', type: 'human' },
      expect: 201,
    }),
  );

/** The OAuth clients the grants need, registered by the owner. */
export const registerClients = async (client: WebClient, ownerToken: string) => {
  const register = async (json: Record<string, unknown>) => {
    const answer = await client.call('POST', '/clients', { bearer: ownerToken, json, expect: 201 });
    return { id: client.field(answer, 'client_id'), secret: String(answer.body.client_secret) };
  };
  return {
    service: await register({
      name: 'capacity service',
      grant_types: ['client_credentials'],
      confidential: true,
    }),
    cli: await register({
      name: 'capacity cli',
      grant_types: ['password', 'refresh_token'],
      confidential: true,
      first_party: true,
    }),
    // First-party: the code flow goes straight back to the app, no consent page.
    spa: await register({
      name: 'capacity spa',
      grant_types: ['authorization_code', 'refresh_token'],
      confidential: false,
      first_party: true,
      redirect_uris: [REDIRECT_URI],
    }),
  };
};

/** Signs a browser in through the hosted sign-in page: its cookie then holds a session. */
export const hostedSignIn = async (browser: WebClient, login: string, password: string) => {
  const page = await browser.call('GET', '/sign-in');
  await browser.call('POST', '/sign-in', {
    form: { csrf: browser.hidden(page.text, 'csrf'), return_to: '/console', login, password },
    expect: 303,
  });
};

/**
 * A Metabase-style SSO token (HS256 with the shared secret's UTF-8 bytes). `run` makes each
 * token's payload, and so its replay key, unique.
 */
export const ssoToken = (secret: string, email: string, run: number) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, first_name: 'Capacity', last_name: 'Bench' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 60 + run)
    .sign(Buffer.from(secret, 'utf8'));
};

const TOTP_PERIOD_MS = 30_000;
const totpCode = (secret: string, step: number) =>
  new TOTP({
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  }).generate({ timestamp: step * TOTP_PERIOD_MS });

/** A user with a password and a confirmed TOTP factor, made by the owner. */
export const totpUser = async (client: WebClient, ownerToken: string, index: number) => {
  const email = `totp${index}@capacity.example.com`;
  const password = randomBytes(18).toString('base64url');
  await client.call('POST', '/users', {
    bearer: ownerToken,
    json: { email, password, role: 'viewer', type: 'human' },
    expect: 201,
  });
  const token = client.field(
    await client.call('POST', '/auth/sign-in', { json: { login: email, password } }),
    'access_token',
  );
  const enrolled = await client.call('POST', '/me/mfa/totp', {
    bearer: token,
    json: { password },
    expect: 201,
  });
  const secret = client.field(enrolled, 'secret');
  const confirmedStep = Math.floor(Date.now() / TOTP_PERIOD_MS);
  await client.call('POST', `/me/mfa/totp/${client.field(enrolled, 'factor_id')}/confirm`, {
    bearer: token,
    json: { code: totpCode(secret, confirmedStep) },
  });
  /** A code for a step past the confirmed one (a used step is refused), within the window. */
  const nextCode = () =>
    totpCode(secret, Math.max(Math.floor(Date.now() / TOTP_PERIOD_MS), confirmedStep + 1));
  return { email, password, nextCode };
};
