import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import type { Reply } from '../support/http-client';
import { useLocalStack } from '../support/local-stack';
import { thirdPartyApp } from '../support/oauth';
import { totpCodeAt } from '../support/totp-codes';

/**
 * The account's factors over HTTP on DynamoDB Local (API.md, MFA): enrolment, confirmation
 * with a code computed from the returned secret at the real clock, recovery codes, removal,
 * the user's `mfa` field, an admin's reset within the role rules, and who may not call them.
 * Sessions here are recent (REAUTH_MAX_AGE_SECONDS 300): tests/e2e/mfa-step-up.test.ts has old ones.
 */
const OWNER = { email: 'owner@mfa-account.test', password: 'mfa account owner passphrase' };
const PASSWORD = 'a member passphrase 1234';
const CB = 'https://third.mfa-account.test/cb';
const RECOVERY_CODE = /^[a-z0-9]{5}-[a-z0-9]{5}$/;

const { call, signIn, stack, mail, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  REVOCATION_CACHE_SECONDS: '0',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

/** A new user of `role`, signed in (before any factor, so no second step is due). */
const member = async (role: 'viewer' | 'editor' | 'admin' | 'owner') => {
  const email = `${role}-${randomUUID().slice(0, 8)}@mfa-account.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  return { id: made.body.user.id as string, email, token: await signIn(email, PASSWORD) };
};

const now = () => Date.now();

/** Enrols and confirms a TOTP factor on a recent session. */
const enrolTotp = async (token: string, name?: string) => {
  const started = await call('POST', '/me/mfa/totp', { token, json: name ? { name } : {} });
  expect(started.status, started.text).toBe(201);
  const { factor_id, secret } = started.body as { factor_id: string; secret: string };
  const confirmed = await call('POST', `/me/mfa/totp/${factor_id}/confirm`, {
    token,
    json: { code: totpCodeAt(secret, now()) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  return {
    factorId: factor_id,
    secret,
    codes: confirmed.body.recovery_codes as string[] | undefined,
  };
};

const noStore = (reply: Reply) => expect(reply.headers.get('cache-control')).toBe('no-store');

describe('enrolling a TOTP factor', () => {
  it('answers the secret and URI once, confirms with a code from it, then lists the factor', async () => {
    const ann = await member('viewer');
    const started = await call('POST', '/me/mfa/totp', {
      token: ann.token,
      json: { name: 'Pixel' },
    });
    expect(started.status, started.text).toBe(201);
    noStore(started);
    expect(Object.keys(started.body).sort()).toEqual(['factor_id', 'otpauth_uri', 'secret']);
    expect(started.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(started.body.otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(started.body.secret);
    const { issuer } = (await call('GET', '/.well-known/openid-configuration')).body;
    expect(uri.searchParams.get('issuer')).toBe(new URL(issuer).host);
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    // Unconfirmed: unlisted, and the user is not enrolled.
    expect((await call('GET', '/me/mfa', { token: ann.token })).body).toEqual({ factors: [] });

    const path = `/me/mfa/totp/${started.body.factor_id}/confirm`;
    const right = totpCodeAt(started.body.secret, now());
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    const refused = await call('POST', path, { token: ann.token, json: { code: wrong } });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error.code).toBe('record_invalid');

    const confirmed = await call('POST', path, { token: ann.token, json: { code: right } });
    expect(confirmed.status, confirmed.text).toBe(200);
    noStore(confirmed);
    expect(confirmed.body.factor).toMatchObject({
      factor_id: started.body.factor_id,
      type: 'totp',
      name: 'Pixel',
      last_used_at: null,
    });
    const codes = confirmed.body.recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
    // Confirmed once only.
    expect((await call('POST', path, { token: ann.token, json: { code: right } })).status).toBe(
      404,
    );

    const listed = await call('GET', '/me/mfa', { token: ann.token });
    expect(listed.body.factors).toEqual([
      {
        factor_id: started.body.factor_id,
        type: 'totp',
        name: 'Pixel',
        created_at: expect.any(String),
        last_used_at: null,
      },
    ]);
    expect(listed.text).not.toContain(started.body.secret);
    const enrolled = { enrolled: true, types: ['totp'] };
    expect((await call('GET', '/me', { token: ann.token })).body.user.mfa).toEqual(enrolled);
    expect((await call('GET', `/users/${ann.id}`, { token: ownerToken })).body.user.mfa).toEqual(
      enrolled,
    );
    const users = await call('GET', '/users?limit=200', { token: ownerToken });
    const shown = (users.body.users as { id: string; mfa: unknown }[]).find((u) => u.id === ann.id);
    expect(shown?.mfa).toEqual(enrolled);
    expect(
      (users.body.users as { email: string; mfa: unknown }[]).find((u) => u.email === OWNER.email)
        ?.mfa,
    ).toEqual({ enrolled: false, types: [] });

    // The account is told, and never given a secret by mail.
    const notice = await mail().latestTo(ann.email, { subjectIncludes: 'factor was added' });
    expect(notice.text).toContain('Pixel');
    expect(notice.text).not.toContain(started.body.secret);
  });

  it('gives recovery codes with the first factor only, and a renewal kills the old set', async () => {
    const bo = await member('editor');
    const first = await enrolTotp(bo.token);
    expect(first.codes).toHaveLength(10);
    const second = await enrolTotp(bo.token, 'backup');
    expect(second.codes).toBeUndefined();

    const renewed = await call('POST', '/me/mfa/recovery-codes', { token: bo.token });
    expect(renewed.status, renewed.text).toBe(200);
    noStore(renewed);
    const fresh = renewed.body.recovery_codes as string[];
    expect(fresh).toHaveLength(10);
    for (const code of fresh) expect(code).toMatch(RECOVERY_CODE);
    expect(fresh.some((code) => first.codes?.includes(code))).toBe(false);

    // An old code is no proof any more (403, and nothing removed); a new one is, once.
    const old = await call('DELETE', `/me/mfa/${second.factorId}`, {
      token: bo.token,
      json: { code: first.codes?.[0] },
    });
    expect(old.status, old.text).toBe(403);
    expect(old.body.error.code).toBe('forbidden');
    expect((await call('GET', '/me/mfa', { token: bo.token })).body.factors).toHaveLength(2);
    const removed = await call('DELETE', `/me/mfa/${second.factorId}`, {
      token: bo.token,
      json: { code: fresh[0] },
    });
    expect(removed.status, removed.text).toBe(204);
    const again = await call('DELETE', `/me/mfa/${first.factorId}`, {
      token: bo.token,
      json: { code: fresh[0] },
    });
    expect(again.status, again.text).toBe(403);
    const listed = await call('GET', '/me/mfa', { token: bo.token });
    expect(listed.body.factors.map((f: { factor_id: string }) => f.factor_id)).toEqual([
      first.factorId,
    ]);
    await mail().latestTo(bo.email, { subjectIncludes: 'factor was removed' });
  });

  it('removes the last factor with a recent session alone, and its recovery codes with it', async () => {
    const cy = await member('viewer');
    const only = await enrolTotp(cy.token);
    const gone = await call('DELETE', `/me/mfa/${only.factorId}`, { token: cy.token });
    expect(gone.status, gone.text).toBe(204);
    expect((await call('GET', '/me', { token: cy.token })).body.user.mfa).toEqual({
      enrolled: false,
      types: [],
    });
    const renew = await call('POST', '/me/mfa/recovery-codes', { token: cy.token });
    expect(renew.status, renew.text).toBe(409);
    expect((await call('DELETE', `/me/mfa/${only.factorId}`, { token: cy.token })).status).toBe(
      404,
    );
  });
});

describe('who may call the factor routes', () => {
  it('refuses an API token and a third-party app token (403), whatever their scopes', async () => {
    const apiToken = await call('POST', '/tokens', { token: ownerToken, json: { name: 'script' } });
    expect(apiToken.status, apiToken.text).toBe(201);
    const clientId = (await registerClient(ownerToken, thirdPartyApp('Third', CB))).client_id;
    const browser = browserFlow(() => stack().url);
    await browser.signIn(OWNER.email, OWNER.password);
    const { verifier, authorized } = await browser.authorize({
      client_id: clientId,
      redirect_uri: CB,
      state: 's',
      scope: 'profile',
    });
    const consented = await browser.consent(authorized.location as string, 'allow');
    const code = new URL(consented.answered.location as string).searchParams.get('code') as string;
    const granted = await tokenEndpoint({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: CB,
      code_verifier: verifier,
    });
    expect(granted.status, granted.text).toBe(200);
    for (const token of [apiToken.body.token as string, granted.body.access_token as string]) {
      for (const [method, path] of [
        ['GET', '/me/mfa'],
        ['POST', '/me/mfa/totp'],
        ['POST', '/me/mfa/recovery-codes'],
      ] as const) {
        const refused = await call(method, path, { token });
        expect(refused.status, `${method} ${path}: ${refused.text}`).toBe(403);
        expect(refused.body.error.code).toBe('forbidden');
      }
    }
  });
});

describe("an admin's reset (DELETE /users/{id}/mfa)", () => {
  it('clears the factors and ends the sessions, within the role rules, audited without secrets', async () => {
    const admin = await member('admin');
    const editor = await member('editor');
    const otherOwner = await member('owner');
    const viewer = await member('viewer');
    const editorFactor = await enrolTotp(editor.token);
    const ownerFactor = await enrolTotp(otherOwner.token);

    // An admin cannot reset an owner's; a viewer has no users:write; nobody resets their own.
    for (const [token, id] of [
      [admin.token, otherOwner.id],
      [viewer.token, editor.id],
      [otherOwner.token, otherOwner.id],
    ] as const) {
      const refused = await call('DELETE', `/users/${id}/mfa`, { token });
      expect(refused.status, refused.text).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    expect((await call('GET', '/me/mfa', { token: otherOwner.token })).body.factors).toHaveLength(
      1,
    );
    expect(
      (await call('DELETE', `/users/${randomUUID()}/mfa`, { token: admin.token })).status,
    ).toBe(404);

    const reset = await call('DELETE', `/users/${editor.id}/mfa`, { token: admin.token });
    expect(reset.status, reset.text).toBe(204);
    // The editor's session has ended; the factor is gone.
    expect((await call('GET', '/me', { token: editor.token })).status).toBe(401);
    const shown = await call('GET', `/users/${editor.id}`, { token: admin.token });
    expect(shown.body.user.mfa).toEqual({ enrolled: false, types: [] });
    await mail().latestTo(editor.email, { subjectIncludes: 'factors were cleared' });

    const events = await call('GET', `/audit?action=mfa.reset&target_id=${editor.id}`, {
      token: ownerToken,
    });
    expect(events.body.events).toEqual([
      expect.objectContaining({
        action: 'mfa.reset',
        actor_id: admin.id,
        target_id: editor.id,
        outcome: 'success',
        detail: { factors: 1 },
      }),
    ]);
    const everything = await call('GET', '/audit?limit=200', { token: ownerToken });
    for (const secret of [editorFactor.secret, ownerFactor.secret]) {
      expect(everything.text).not.toContain(secret);
    }
    for (const code of [...(editorFactor.codes ?? []), ...(ownerFactor.codes ?? [])]) {
      expect(everything.text).not.toContain(code);
    }
    const enrolEvents = await call('GET', `/audit?action=mfa.enroll&target_id=${editor.id}`, {
      token: ownerToken,
    });
    expect(enrolEvents.body.events).toHaveLength(1);
  });
});
