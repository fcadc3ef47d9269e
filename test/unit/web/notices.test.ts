import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../../src/core/users/users';
import { noticeText } from '../../../src/web/notices';
import type { PageRequest } from '../../../src/web/page-handler';
import { signInPage } from '../../../src/web/pages/auth';
import { accountPage } from '../../../src/web/pages/console';
import { type TestDeps, testDeps } from '../../support/core-deps';
import { pageRequest } from '../../support/page-request';
import { createUserWithPassword } from '../../support/users';

/** Invariant: a page shows a notice only from the fixed list; query text is never reflected. */
const get = (
  deps: TestDeps,
  path: string,
  query: string,
  user: UserRecord | null = null,
): PageRequest =>
  pageRequest(deps, { path, query, user, meta: { ip: '203.0.113.5', userAgent: null } });

/** The text of the page's notice line (layout's `alert`), if it has one. */
const statusLine = (body: string | undefined) =>
  /class="notice" role="status">([^<]*)</.exec(body ?? '')?.[1];

describe('notices', () => {
  it('the sign-in and console pages show a known notice by its key', async () => {
    const result = await signInPage(get(testDeps(), '/sign-in', 'notice=signed_out'));
    expect(statusLine(result.body)).toBe('You are signed out.');
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer', email: 'v@b.co' });
    const account = await accountPage(get(deps, '/console', 'notice=saved', user));
    expect(statusLine(account.body)).toBe('Saved.');
  });

  it('the sign-in and console pages show nothing for any other notice text', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer', email: 'v@b.co' });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1 }),
          fc.constantFrom(
            'You are signed out.',
            'Sign in again at https://evil.example',
            '__proto__',
            'toString',
          ),
        ),
        async (text) => {
          expect(noticeText(text)).toBeNull();
          const query = new URLSearchParams({ notice: text }).toString();
          for (const result of [
            await signInPage(get(deps, '/sign-in', query)),
            await accountPage(get(deps, '/console', query, user)),
          ]) {
            expect(statusLine(result.body)).toBeUndefined();
            expect(result.body).not.toContain('evil.example');
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
