import { describe, expect, it } from 'vitest';
import { changeOwnPassword } from '../../../../src/core/account/account';
import { forgotPassword, signUp, verifyEmail } from '../../../../src/core/account/self-service';
import { noRequest } from '../../../../src/core/audit/audit';
import { startSession } from '../../../../src/core/sessions/sessions';
import { testDeps } from '../../../support/core-deps';

const PASSWORD = 'a member passphrase 1';
const meta = { ip: '203.0.113.9', userAgent: 'test' };
const tokenIn = (text: string | undefined) =>
  /#token=((?:evt|prt)_[\w-]{43})/.exec(text ?? '')?.[1];

describe('self-service', () => {
  it('refuses sign-up unless SIGN_UP_ENABLED', async () => {
    const deps = testDeps();
    await expect(signUp(deps, { email: 'a@b.co', password: PASSWORD }, meta)).rejects.toMatchObject(
      {
        code: 'forbidden',
      },
    );
    expect(await deps.store.findUserByEmail('a@b.co')).toBeNull();
  });

  it('signs up with SIGN_UP_ROLE, unverified until the mailed token is spent', async () => {
    const deps = testDeps({
      SIGN_UP_ENABLED: '1',
      SIGN_UP_ROLE: 'editor',
      REQUIRE_EMAIL_VERIFICATION: '1',
    });
    const user = await signUp(deps, { email: 'a@b.co', password: PASSWORD }, meta);
    expect(user).toMatchObject({ role: 'editor', status: 'unverified' });
    const [mail] = deps.mailer.sent;
    expect(mail?.to).toBe('a@b.co');
    const token = tokenIn(mail?.text) as string;
    expect(mail?.html).toContain(token);
    await verifyEmail(deps, token, meta);
    expect((await deps.store.getUser(user.id))?.status).toBe('active');
    await expect(verifyEmail(deps, token, meta)).rejects.toMatchObject({ code: 'record_invalid' });
  });

  it('refuses a verification link once it has expired', async () => {
    const deps = testDeps({ SIGN_UP_ENABLED: '1', REQUIRE_EMAIL_VERIFICATION: '1' });
    await signUp(deps, { email: 'late@b.co', password: PASSWORD }, meta);
    deps.clock.advance(86_401);
    const token = tokenIn(deps.mailer.sent[0]?.text) as string;
    await expect(verifyEmail(deps, token, meta)).rejects.toMatchObject({ code: 'record_invalid' });
  });

  it('mails a reset link only to an account that exists', async () => {
    const deps = testDeps({ SIGN_UP_ENABLED: '1' });
    await signUp(deps, { email: 'known@b.co', password: PASSWORD }, meta);
    await forgotPassword(deps, 'unknown@b.co', noRequest);
    expect(deps.mailer.sent).toEqual([]);
    await forgotPassword(deps, 'KNOWN@b.co', noRequest);
    expect(deps.mailer.sent.map((m) => m.subject)).toEqual(['Reset your password']);
    expect(tokenIn(deps.mailer.sent[0]?.text)).toMatch(/^prt_/);
  });

  it('changes the password, ending every session but the one kept', async () => {
    const deps = testDeps({ SIGN_UP_ENABLED: '1' });
    const created = await signUp(deps, { email: 'c@b.co', password: PASSWORD }, meta);
    const user = await deps.store.getUser(created.id);
    if (!user) throw new Error('no user');
    const [mine, other] = [await startSession(deps, user), await startSession(deps, user)];
    const sidOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid as string;
    const current = (await deps.store.getUser(created.id)) ?? user;
    await changeOwnPassword(
      deps,
      { kind: 'user', user: current, tokenId: null },
      sidOf(mine.access_token),
      { current_password: PASSWORD, new_password: 'another passphrase 22' },
      meta,
    );
    expect((await deps.store.getSession(sidOf(mine.access_token)))?.revokedAt).toBeNull();
    expect((await deps.store.getSession(sidOf(other.access_token)))?.revokedAt).not.toBeNull();
  });
});
