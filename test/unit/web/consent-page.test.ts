import { describe, expect, it } from 'vitest';
import { listGrants, revokeGrant } from '../../../src/core/oauth/consent';
import type { UserRecord } from '../../../src/core/users/users';
import type { HttpResult } from '../../../src/http/responses';
import { authorizePage } from '../../../src/web/pages/authorize';
import { consentPage, consentSubmit } from '../../../src/web/pages/consent';
import { operatorRegisters } from '../../support/clients';
import { testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';
import { createUserWithPassword } from '../../support/users';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const CB = 'https://app.example.com/cb';
const meta = { ip: null, userAgent: null };

const setUp = async () => {
  const deps = testDeps();
  const client = await operatorRegisters(deps, {
    name: 'Third <App>',
    grant_types: ['authorization_code'],
    confidential: false,
    redirect_uris: [CB],
  });
  const owner = await createUserWithPassword(deps, { email: 'own@example.com', role: 'owner' });
  const viewer = await createUserWithPassword(deps, { email: 'view@example.com', role: 'viewer' });
  const request = (
    user: UserRecord,
    options: { path?: string; query?: Record<string, string>; form?: Record<string, string> },
    sid = 's1',
  ) => pageRequest(deps, { path: '/oauth/authorize', ...options, user, sid });
  const authorize = (user: UserRecord, extra: Record<string, string> = {}, sid = 's1') =>
    authorizePage(
      request(
        user,
        {
          query: {
            response_type: 'code',
            client_id: client.client_id,
            redirect_uri: CB,
            code_challenge: CHALLENGE,
            code_challenge_method: 'S256',
            state: 'st-1',
            ...extra,
          },
        },
        sid,
      ),
    );
  const pendingOf = (result: HttpResult) => {
    expect(result.statusCode).toBe(303);
    const location = new URL(result.headers.location as string, 'https://gatehouse.test');
    expect(location.pathname).toBe('/consent');
    return location.searchParams.get('request') as string;
  };
  const answer = (user: UserRecord, pending: string, decision: string, sid = 's1') =>
    consentSubmit(
      request(user, { path: '/consent', form: { csrf: 'x', request: pending, decision } }, sid),
    );
  const back = (result: HttpResult) => new URL(result.headers.location as string);
  return { deps, client, owner, viewer, request, authorize, pendingOf, answer, back };
};

describe('consent for third-party clients', () => {
  it('asks first, and Allow sends a code back with the state and remembers the scope', async () => {
    const { deps, owner, request, authorize, pendingOf, answer, back, client } = await setUp();
    const pending = pendingOf(await authorize(owner, { scope: 'openid users:write' }));
    const shown = await consentPage(
      request(owner, { path: '/consent', query: { request: pending } }),
    );
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Third &lt;App&gt;');
    expect(shown.body).toContain('Create, change and delete user accounts');
    expect(shown.headers['content-security-policy']).toContain(
      "form-action 'self' https://app.example.com",
    );
    const allowed = back(await answer(owner, pending, 'allow'));
    expect(allowed.searchParams.get('code')).toMatch(/^ac_/);
    expect(allowed.searchParams.get('state')).toBe('st-1');
    expect(await listGrants(deps, owner.id)).toEqual([
      expect.objectContaining({
        client_id: client.client_id,
        client_name: 'Third <App>',
        scopes: ['openid', 'users:write'],
      }),
    ]);
    // Within the remembered set: no page; prompt=consent: the page again.
    expect(back(await authorize(owner, { scope: 'users:write' })).searchParams.get('code')).toMatch(
      /^ac_/,
    );
    pendingOf(await authorize(owner, { scope: 'users:write', prompt: 'consent' }));
    // Beyond it: the page again.
    pendingOf(await authorize(owner, { scope: 'users:write email' }));
    const audit = await deps.store.listAuditEvents({ limit: 10, action: 'consent.grant' });
    expect(audit.items).toHaveLength(1);
  });

  it('asks even for the profile-only default, and Deny returns access_denied', async () => {
    const { deps, viewer, authorize, pendingOf, answer, back } = await setUp();
    const pending = pendingOf(await authorize(viewer));
    const denied = back(await answer(viewer, pending, 'deny'));
    expect(denied.origin + denied.pathname).toBe(CB);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('st-1');
    expect(await listGrants(deps, viewer.id)).toEqual([]);
  });

  it('answers a scope beyond the user with invalid_scope, and prompt=none without a page', async () => {
    const { viewer, authorize, back } = await setUp();
    const beyond = back(await authorize(viewer, { scope: 'profile users:write' }));
    expect(beyond.searchParams.get('error')).toBe('invalid_scope');
    expect(beyond.searchParams.get('state')).toBe('st-1');
    const none = back(await authorize(viewer, { prompt: 'none' }));
    expect(none.searchParams.get('error')).toBe('consent_required');
  });

  it('refuses an edited request, another browser session, and a second answer', async () => {
    const { owner, authorize, pendingOf, answer } = await setUp();
    const pending = pendingOf(await authorize(owner, { scope: 'profile' }));
    const wire = JSON.parse(Buffer.from(pending, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...wire, g: ['clients:write'] })).toString(
      'base64url',
    );
    await expect(answer(owner, widened, 'allow')).rejects.toMatchObject({
      code: 'record_invalid',
    });
    await expect(answer(owner, pending, 'allow', 'other-session')).rejects.toMatchObject({
      code: 'record_invalid',
    });
    await answer(owner, pending, 'deny');
    await expect(answer(owner, pending, 'allow')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('forgets a grant on revoke and ends that client’s sessions of the user only', async () => {
    const { deps, owner, authorize, pendingOf, answer, client } = await setUp();
    await answer(owner, pendingOf(await authorize(owner)), 'allow');
    const mine = { sid: 'a', userId: owner.id, clientId: client.client_id };
    const other = { sid: 'b', userId: owner.id, clientId: null };
    for (const s of [mine, other]) {
      await deps.store.createSession(
        { ...s, createdAt: 0, expiresAt: 9e15, revokedAt: null },
        null,
      );
    }
    await revokeGrant(deps, owner.id, client.client_id, meta);
    expect((await deps.store.getSession('a'))?.revokedAt).not.toBeNull();
    expect((await deps.store.getSession('b'))?.revokedAt).toBeNull();
    expect(await listGrants(deps, owner.id)).toEqual([]);
    await expect(revokeGrant(deps, owner.id, client.client_id, meta)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
