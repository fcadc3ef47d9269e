import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import {
  cancelPendingLink,
  completePendingLink,
  PENDING_LINK_TTL_SECONDS,
  viewPendingLink,
} from '../../../../src/core/identity/pending-link';
import { accountLockoutKey } from '../../../../src/core/sessions/lockout';
import { createUser, updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import { linkingOf, type UserRecord } from '../../../../src/core/users/users';
import type { TestDeps } from '../../../support/core-deps';
import { linkingDeps, passwordSession, ssoSignIn } from '../../../support/linking';
import { browserSso, HANDOFF, pendingSecret } from '../../../support/pending-link';

/**
 * API.md, Account linking: an admin or owner account is never linked by email alone; the
 * browser's SSO login leaves a pending link that only the account's password completes.
 * Invariants: no identity is linked without the account's password; a pending link is spent
 * at every use (a replay or another browser's secret links nothing); a wrong password counts
 * toward the account's lockout; a changed account refuses.
 */
const OPERATOR: Actor = { kind: 'operator', name: 'unit' };
const PASSWORD = 'the owner passphrase';
const EMAIL = 'root@corp.test';

const setup = async (env: Record<string, string> = {}) => {
  const deps = linkingDeps(env);
  const owner = await createUser(
    deps,
    OPERATOR,
    { email: EMAIL, role: 'owner', password: PASSWORD, name: 'Root' },
    noRequest,
  );
  return { deps, owner };
};

const stored = async (deps: TestDeps, id: string) => (await deps.store.getUser(id)) as UserRecord;
const identitiesOf = async (deps: TestDeps, id: string) =>
  linkingOf(await stored(deps, id)).identities.map((i) => `${i.provider}:${i.subject}`);
const audited = async (deps: TestDeps, action: string) =>
  (await deps.store.listAuditEvents({ limit: 100, action })).items;
const code = (error: unknown) => (error as { code: string }).code;

describe('pending account link (first-broker-login)', () => {
  it('the browser SSO login to an owner by email links nothing and leaves a pending link', async () => {
    const { deps, owner } = await setup();
    const outcome = await browserSso(deps, 'Root@corp.test', ['admins']);
    expect(outcome).toMatchObject({ pending: { email: 'Root@corp.test', handoff: HANDOFF } });
    expect(await identitiesOf(deps, owner.id)).toEqual([]);
    expect(await deps.store.findUserByIdentity('jwt', EMAIL)).toBeNull();
    // Without a hosted page (the core's plain SSO sign-in) it stays 409.
    await expect(ssoSignIn(deps, EMAIL)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('the right password links (user.link, takeover false), syncs the profile and signs in', async () => {
    const { deps, owner } = await setup();
    const secret = await pendingSecret(deps, EMAIL, ['admins']);
    const outcome = await completePendingLink(deps, secret, PASSWORD, noRequest);
    expect(outcome.kind).toBe('linked');
    if (outcome.kind !== 'linked') return;
    expect(outcome.handoff).toEqual(HANDOFF);
    expect(outcome.user).toMatchObject({ id: owner.id, groups: ['admins'], emailVerified: true });
    expect(outcome.tokens.browserSession).toEqual(expect.any(String));
    expect(await identitiesOf(deps, owner.id)).toEqual([`jwt:${EMAIL}`]);
    const [link] = await audited(deps, 'user.link');
    expect(link).toMatchObject({
      target_id: owner.id,
      detail: { provider: 'jwt', subject: EMAIL, takeover: false },
    });
    // The next SSO login goes straight in by identity, with no page.
    const again = await browserSso(deps, EMAIL, ['admins']);
    expect(again).toMatchObject({ user: { id: owner.id } });
  });

  it('cannot be replayed: a second post of the same secret links nothing', async () => {
    const { deps } = await setup();
    const secret = await pendingSecret(deps, EMAIL);
    expect((await completePendingLink(deps, secret, PASSWORD, noRequest)).kind).toBe('linked');
    await expect(completePendingLink(deps, secret, PASSWORD, noRequest)).rejects.toMatchObject({
      code: 'record_invalid',
    });
  });

  it('each use spends the secret: after viewing or a wrong password only the new one works', async () => {
    const { deps, owner } = await setup();
    const first = await pendingSecret(deps, EMAIL);
    const viewed = await viewPendingLink(deps, first);
    expect(viewed.email).toBe(EMAIL);
    await expect(completePendingLink(deps, first, PASSWORD, noRequest)).rejects.toMatchObject({
      code: 'record_invalid',
    });
    const wrong = await completePendingLink(deps, viewed.token, 'not the password', noRequest);
    expect(wrong).toMatchObject({ kind: 'refused', error: { code: 'invalid_credentials' } });
    if (wrong.kind !== 'refused' || !wrong.retry) throw new Error('expected a retry');
    expect(wrong.retry.expiresAt).toBe(viewed.expiresAt);
    await expect(
      completePendingLink(deps, viewed.token, PASSWORD, noRequest),
    ).rejects.toMatchObject({ code: 'record_invalid' });
    expect(await identitiesOf(deps, owner.id)).toEqual([]);
    const done = await completePendingLink(deps, wrong.retry.token, PASSWORD, noRequest);
    expect(done.kind).toBe('linked');
  });

  it('cannot be used by another browser: any other secret links nothing and spends nothing', async () => {
    const { deps, owner } = await setup();
    const mine = await pendingSecret(deps, EMAIL);
    // Another browser's own pending link for another person's login: its own account only.
    await createUser(
      deps,
      OPERATOR,
      { email: 'ops@corp.test', role: 'admin', password: 'ops passphrase x' },
      noRequest,
    );
    const theirs = await pendingSecret(deps, 'ops@corp.test');
    const theirsDone = await completePendingLink(deps, theirs, PASSWORD, noRequest);
    expect(theirsDone).toMatchObject({ kind: 'refused', error: { code: 'invalid_credentials' } });
    const guesses = [
      '',
      'glk_',
      `glk_${'A'.repeat(43)}`,
      `${mine}=`,
      mine.toUpperCase(),
      mine.replace('glk_', 'prt_'),
    ];
    for (const guess of guesses) {
      await expect(completePendingLink(deps, guess, PASSWORD, noRequest)).rejects.toMatchObject({
        code: 'record_invalid',
      });
    }
    expect(await identitiesOf(deps, owner.id)).toEqual([]);
    expect((await completePendingLink(deps, mine, PASSWORD, noRequest)).kind).toBe('linked');
  });

  it('a wrong password counts toward the account lockout; locked, even the right one is refused', async () => {
    const { deps, owner } = await setup({ LOCKOUT_THRESHOLD: '3' });
    let secret = await pendingSecret(deps, EMAIL);
    for (let i = 0; i < 3; i += 1) {
      const outcome = await completePendingLink(deps, secret, `wrong ${i}`, noRequest);
      expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'invalid_credentials' } });
      if (outcome.kind !== 'refused' || !outcome.retry) throw new Error('expected a retry');
      secret = outcome.retry.token;
    }
    const failures = await deps.store.getLoginFailures(accountLockoutKey(owner.id));
    expect(failures?.failures).toBe(3);
    const locked = await completePendingLink(deps, secret, PASSWORD, noRequest);
    expect(locked).toMatchObject({ kind: 'refused', error: { code: 'too_many_attempts' } });
    // The same counter as the sign-in page's.
    expect(await passwordSession(deps, EMAIL, PASSWORD)).toEqual({ refused: 'too_many_attempts' });
    expect(await identitiesOf(deps, owner.id)).toEqual([]);
  });

  it('refuses when the account changed in between: its email changed', async () => {
    const { deps, owner } = await setup();
    const secret = await pendingSecret(deps, EMAIL);
    await updateUser(deps, OPERATOR, owner.id, { email: 'root2@corp.test' }, noRequest);
    const outcome = await completePendingLink(deps, secret, PASSWORD, noRequest);
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'conflict' }, retry: null });
    expect(await identitiesOf(deps, owner.id)).toEqual([]);
  });

  it('refuses when the account changed in between: it was disabled', async () => {
    const { deps, owner } = await setup();
    await createUser(
      deps,
      OPERATOR,
      { email: 'other@corp.test', role: 'owner', password: 'x passphrase two' },
      noRequest,
    );
    const secret = await pendingSecret(deps, EMAIL);
    await updateUser(deps, OPERATOR, owner.id, { status: 'disabled' }, noRequest);
    const outcome = await completePendingLink(deps, secret, PASSWORD, noRequest);
    expect(outcome).toMatchObject({ kind: 'refused', error: { code: 'account_disabled' } });
    expect(await identitiesOf(deps, owner.id)).toEqual([]);
  });

  it('expires after its time, and Cancel drops it', async () => {
    const { deps } = await setup();
    const late = await pendingSecret(deps, EMAIL);
    deps.clock.advance(PENDING_LINK_TTL_SECONDS);
    await expect(completePendingLink(deps, late, PASSWORD, noRequest)).rejects.toMatchObject({
      code: 'record_invalid',
    });
    const dropped = await pendingSecret(deps, EMAIL);
    await cancelPendingLink(deps, dropped);
    const error = await completePendingLink(deps, dropped, PASSWORD, noRequest).catch((e) => e);
    expect(code(error)).toBe('record_invalid');
  });
});
