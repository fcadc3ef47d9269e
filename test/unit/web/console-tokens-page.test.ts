import { describe, expect, it } from 'vitest';
import type { ApiTokenRecord } from '../../../src/core/tokens/api-tokens';
import { tokensPage } from '../../../src/web/pages/console-tokens';
import { testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';
import { aUser } from '../../support/users';

const LONG_AGENT = `Mozilla/5.0 (X11; Linux x86_64) ${'Gecko/20100101 '.repeat(25)}<script>`;

const token = (over: Partial<ApiTokenRecord>): ApiTokenRecord => ({
  tokenId: 'tok-1',
  hash: 'h',
  name: 'ci',
  scopes: ['profile', 'audit:read'],
  userId: 'u',
  createdBy: 'u',
  createdAt: 0,
  expiresAt: null,
  lifetimeSeconds: null,
  renewable: false,
  lastUsedAt: null,
  revokedAt: null,
  ...over,
});

const setUp = async () => {
  const deps = testDeps();
  const owner = aUser({ role: 'owner', email: 'owner@example.com', name: 'Olive Owner' });
  const viewer = aUser({ role: 'viewer', email: 'viewer@example.com', name: 'Vic Viewer' });
  await deps.store.createUser(owner);
  await deps.store.createUser(viewer);
  const now = deps.clock.now();
  await deps.store.createApiToken(
    token({
      tokenId: 'tok-used',
      name: 'deploy',
      userId: viewer.id,
      createdBy: owner.id,
      lastUsedAt: now - 60_000,
      lastUsedFrom: { ip: '198.51.100.7', userAgent: LONG_AGENT },
    }),
  );
  await deps.store.createApiToken(
    token({
      tokenId: 'tok-all',
      name: 'laptop',
      scopes: null,
      userId: viewer.id,
      createdBy: viewer.id,
    }),
  );
  await deps.store.createApiToken(
    token({
      tokenId: 'tok-old',
      name: 'old',
      userId: viewer.id,
      createdBy: viewer.id,
      expiresAt: now - 1000,
    }),
  );
  await deps.store.createApiToken(
    token({
      tokenId: 'tok-gone',
      name: 'gone',
      userId: viewer.id,
      createdBy: viewer.id,
      revokedAt: now - 1000,
    }),
  );
  return { deps, owner, viewer };
};

describe('console tokens page', () => {
  it('says what each token can do in words, its status, and its last use and where from', async () => {
    const { deps, viewer } = await setUp();
    const answer = await tokensPage(pageRequest(deps, { path: '/console/tokens', user: viewer }));
    expect(answer.statusCode).toBe(200);
    const { body } = answer;
    expect(body).toContain('<code>audit:read</code>: Read the audit log');
    expect(body).toContain('Everything its owner can do, now and as their role changes.');
    // The unscoped token's grants today are the viewer's, in words.
    expect(body).toContain('Today: 7 permissions');
    expect(body).toContain('See your own sessions in the protected API');
    expect(body).toContain('198.51.100.7');
    // The device in words (the user page's parser), then the user agent, escaped, cut to a line
    // and whole on focus.
    expect(body).toMatch(/A browser on Linux<span class="truncate"/);
    expect(body).toMatch(/<span class="truncate" tabindex="0" title="Mozilla[^"]*&lt;script&gt;">/);
    expect(body).not.toContain('<script>"');
    expect(body).toContain('Never used');
    for (const status of ['Active', 'Expired', 'Revoked'])
      expect(body).toContain(`>${status}</span>`);
    // Own view: no owner column; the form offers each held scope with its words.
    expect(body).not.toContain('Owner and creator');
    expect(body).toContain('aria-describedby="scope-tokens:write-words"');
    expect(body).toContain('Create, renew and revoke API tokens in your name');
    expect(body).not.toContain('value="users:read"');
    // Every cell carries its column's name for the stacked layout.
    expect(body).toContain('data-label="What it can do"');
  });

  it('shows an admin every token with its owner and creator by name', async () => {
    const { deps, owner } = await setUp();
    const answer = await tokensPage(
      pageRequest(deps, { path: '/console/tokens', query: { all: 'true' }, user: owner }),
    );
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('Owner and creator');
    expect(answer.body).toMatch(
      /Vic Viewer<\/a><br>made by <a href="\/console\/users\/[^"]+">Olive Owner/,
    );
  });

  it('refuses the every-token view to a viewer', async () => {
    const { deps, viewer } = await setUp();
    const answer = await tokensPage(
      pageRequest(deps, { path: '/console/tokens', query: { all: 'true' }, user: viewer }),
    );
    // A viewer asking for all sees only their own (the page never asks the core for more).
    expect(answer.body).not.toContain('Owner and creator');
    expect(answer.body).toContain('Your API tokens');
  });
});
