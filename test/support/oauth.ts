import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Reply } from './http-client';

type Call = (
  method: string,
  path: string,
  options?: { body?: string; headers?: Record<string, string>; token?: string; json?: unknown },
) => Promise<Reply>;

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** An HTTP Basic header for a client, each part form-encoded first (RFC 6749 2.3.1). */
export const basicAuth = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A fresh PKCE verifier and its S256 challenge. */
export const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  user_id: string | null;
}

/** The /oauth/* forms and client registration, over an end-to-end test's JSON client. */
export const oauthCalls = (call: Call) => {
  const postForm = (path: string, fields: Record<string, string>, headers = {}) =>
    call('POST', path, {
      body: new URLSearchParams(fields).toString(),
      headers: { ...FORM, ...headers },
    });
  const tokenEndpoint = (fields: Record<string, string>, headers = {}) =>
    postForm('/oauth/token', fields, headers);
  /** POST /clients as `ownerToken`; the registration must succeed. */
  const registerClient = async (ownerToken: string, json: Record<string, unknown>) => {
    const reply = await call('POST', '/clients', { token: ownerToken, json });
    expect(reply.status, reply.text).toBe(201);
    return reply.body as RegisteredClient;
  };
  return { postForm, tokenEndpoint, registerClient };
};

/** A third-party public client for the code flow with refresh, as a browser app registers. */
export const thirdPartyApp = (name: string, redirectUri: string) => ({
  name,
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code', 'refresh_token'],
  confidential: false,
  first_party: false,
});

/** A first-party public client for the code flow with refresh: no consent page. */
export const firstPartyApp = (name: string, redirectUri: string) => ({
  ...thirdPartyApp(name, redirectUri),
  first_party: true,
});
