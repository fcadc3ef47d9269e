import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../../src/core/users/users';
import type { PageRequest } from '../../../src/web/page-handler';
import { signUpSubmit } from '../../../src/web/pages/auth';
import { tokenCreateSubmit } from '../../../src/web/pages/console-tokens';
import { type TestDeps, testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';
import { createUserWithPassword } from '../../support/users';

const request = (
  deps: TestDeps,
  path: string,
  form: Record<string, string>,
  user: UserRecord | null = null,
): PageRequest =>
  pageRequest(deps, {
    method: 'POST',
    path,
    form,
    user,
    meta: { ip: '203.0.113.5', userAgent: null },
  });

describe('forms on the hosted pages take what the API takes, and nothing else', () => {
  it('refuses a sign-up with a malformed email, naming the field, and creates nobody', async () => {
    const deps = testDeps({ SIGN_UP_ENABLED: '1' });
    const result = await signUpSubmit(
      request(deps, '/sign-up', { email: 'not-an-email', password: 'a fine passphrase 1' }),
    );
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('email');
    expect((await deps.store.listUsers({ limit: 10 })).items).toEqual([]);
  });

  it('refuses a token without a name, and makes none', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer', email: 'v@b.co' });
    const result = await tokenCreateSubmit(
      request(deps, '/console/tokens', { name: '  ', once: 'a-fresh-one-time-value-3' }, user),
    );
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('name');
    expect(
      (await deps.store.listApiTokens({ userId: user.id, includeRevoked: true, limit: 10 })).items,
    ).toEqual([]);
  });
});
