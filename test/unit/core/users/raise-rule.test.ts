import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { forgotPassword, resetPasswordWithToken } from '../../../../src/core/account/self-service';
import { noRequest } from '../../../../src/core/audit/audit';
import {
  exchangeAuthorizationCode,
  issueAuthorizationCode,
} from '../../../../src/core/oauth/authorization-codes';
import type { Store } from '../../../../src/core/shared/store';
import { createApiToken } from '../../../../src/core/tokens/api-tokens';
import {
  type CredentialOrigin,
  isVouched,
  madeInSession,
  passwordFromResetLink,
} from '../../../../src/core/users/credential-lineage';
import { passwordKeptOnRaise } from '../../../../src/core/users/raise-rule';
import { updateUser } from '../../../../src/core/users/user-management';
import type { Actor } from '../../../../src/core/users/user-policy';
import type { PasswordSetter, UserRecord } from '../../../../src/core/users/users';
import { createMemoryStore } from '../../../../src/store/memory-store';
import { aClientRecord } from '../../../support/clients';
import { testDeps } from '../../../support/core-deps';
import { createdUser } from '../../../support/users';

// The one "kept on raise" rule (raise-rule.ts): no credential an admin made or influenced ever
// carries a role above editor; only credentials the person made untainted, or an owner (or the
// operator/an import) made, carry a raised role.

const operator: Actor = { kind: 'operator', name: 'cli' };
const user = (over: Partial<UserRecord>): UserRecord => ({
  id: 'u1',
  email: 'pat@example.com',
  emailKey: 'pat@example.com',
  username: null,
  usernameKey: null,
  name: null,
  role: 'viewer',
  status: 'active',
  type: 'human',
  groups: [],
  attributes: {},
  passwordHash: 'h',
  createdAt: 1,
  updatedAt: 1,
  lastSignInAt: null,
  ...over,
});

describe('credential lineage', () => {
  it('keeps on a raise only a password whose origin is known and vouched', () => {
    const kept: Record<PasswordSetter, boolean> = {
      self: true,
      owner: true,
      operator: true,
      import: true,
      admin: false,
      unknown: false,
    };
    for (const [setter, expected] of Object.entries(kept)) {
      expect(passwordKeptOnRaise(user({ passwordSetBy: setter as PasswordSetter }))).toBe(expected);
    }
    expect(passwordKeptOnRaise(user({}))).toBe(false);
    expect(passwordKeptOnRaise(user({ passwordSetBy: null }))).toBe(false);
    expect(passwordKeptOnRaise(user({ passwordHash: null }))).toBe(true);
  });

  it('taints what a session makes with the origin of what opened it', () => {
    const cases: [CredentialOrigin | undefined, PasswordSetter][] = [
      ['self', 'self'],
      ['owner', 'self'],
      ['operator', 'self'],
      ['import', 'self'],
      ['sso', 'self'],
      ['provider', 'self'],
      ['admin', 'admin'],
      ['unknown', 'unknown'],
      [undefined, 'unknown'],
    ];
    for (const [origin, made] of cases) expect(madeInSession(origin)).toBe(made);
    expect(isVouched(undefined)).toBe(false);
  });

  it('gives a reset link password the origin of the email it was mailed to', () => {
    expect(passwordFromResetLink(user({ emailSetBy: 'admin', emailVerified: true }))).toBe('admin');
    expect(passwordFromResetLink(user({ emailSetBy: 'self', emailVerified: true }))).toBe('self');
    expect(passwordFromResetLink(user({ emailSetBy: 'provider', emailVerified: true }))).toBe(
      'self',
    );
    expect(passwordFromResetLink(user({ emailSetBy: 'self', emailVerified: false }))).toBe(
      'unknown',
    );
    expect(passwordFromResetLink(user({ emailVerified: true }))).toBe('unknown');
  });
});

describe("an owner's raise, by the rule", () => {
  const world = async (store?: Store) => {
    const deps = testDeps({}, store);
    const make = async (email: string, role: 'owner' | 'viewer') =>
      await createdUser(deps, operator, {
        email,
        role,
        password: `${email} passphrase 1`,
        type: 'human',
      });
    const owner = await make('root@example.com', 'owner');
    const pat = await make('pat@example.com', 'viewer');
    return { deps, owner, pat };
  };
  const mint = (deps: ReturnType<typeof testDeps>, pat: UserRecord, origin?: CredentialOrigin) =>
    createApiToken(
      deps,
      { kind: 'user', user: pat, tokenId: null, ...(origin ? { origin } : {}) },
      deps.scopes.viewer,
      { name: `by ${origin}` },
      noRequest,
      { sid: '', tokenId: null },
    );

  it("keeps the person's untainted token, revokes one of unknown or admin origin", async () => {
    const { deps, owner, pat } = await world();
    const own = await mint(deps, pat, 'self');
    const viaSso = await mint(deps, pat, 'sso');
    const unknown = await mint(deps, pat);
    const tainted = await mint(deps, pat, 'admin');
    await updateUser(
      deps,
      { kind: 'user', user: owner, tokenId: null },
      pat.id,
      { role: 'owner' },
      noRequest,
    );
    const revoked = async (id: string) => (await deps.store.getApiToken(id))?.revokedAt !== null;
    expect(await revoked(own.token_id)).toBe(false);
    expect(await revoked(viaSso.token_id)).toBe(false);
    expect(await revoked(unknown.token_id)).toBe(true);
    expect(await revoked(tainted.token_id)).toBe(true);
  });

  it('cleans up before saving: a failed clean-up leaves the old role', async () => {
    const inner = createMemoryStore();
    let fail = false;
    const store: Store = {
      ...inner,
      revokeApiToken: async (...args) => {
        if (fail) throw new Error('ProvisionedThroughputExceededException');
        return inner.revokeApiToken(...args);
      },
    };
    const { deps, owner, pat } = await world(store);
    await mint(deps, pat, 'admin');
    fail = true;
    await expect(
      updateUser(
        deps,
        { kind: 'user', user: owner, tokenId: null },
        pat.id,
        { role: 'owner' },
        noRequest,
      ),
    ).rejects.toThrow();
    expect((await deps.store.getUser(pat.id))?.role).toBe('viewer');
  });

  it('refuses (409) to raise an account whose email is unproven', async () => {
    const { deps, owner, pat } = await world();
    await deps.store.updateUser(pat, {
      ...pat,
      emailVerified: false,
      updatedAt: pat.updatedAt + 1,
    });
    await expect(
      updateUser(
        deps,
        { kind: 'user', user: owner, tokenId: null },
        pat.id,
        { role: 'admin' },
        noRequest,
      ),
    ).rejects.toMatchObject({ code: 'conflict' });
    // A raise an admin could make (to editor) needs nothing.
    await updateUser(
      deps,
      { kind: 'user', user: owner, tokenId: null },
      pat.id,
      { role: 'editor' },
      noRequest,
    );
  });

  it('refuses a reset link mailed to an admin-set address of an account above editor', async () => {
    const { deps, pat } = await world();
    await deps.store.updateUser(pat, {
      ...pat,
      role: 'owner',
      emailSetBy: 'admin',
      updatedAt: pat.updatedAt + 1,
    });
    deps.clock.advance(5);
    await forgotPassword(deps, 'pat@example.com', noRequest);
    const link = /#token=(prt_[\w-]{43})/.exec(deps.mailer.sent.at(-1)?.text ?? '')?.[1] as string;
    await expect(
      resetPasswordWithToken(
        deps,
        { token: link, password: 'the admin chose this one' },
        noRequest,
      ),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect((await deps.store.getUser(pat.id))?.passwordHash).toBe(pat.passwordHash);
  });

  it('gives a session opened by an authorization code the origin of the session that approved it', async () => {
    const { deps, pat } = await world();
    await deps.store.createClient(
      aClientRecord({ confidential: true, createdAt: deps.clock.now() }),
    );
    const code = await issueAuthorizationCode(deps, {
      clientId: 'app',
      redirectUri: 'https://app.example/cb',
      codeChallenge: '',
      userId: pat.id,
      scope: ['profile'],
      origin: 'admin',
    });
    const tokens = await exchangeAuthorizationCode(deps, {
      code,
      clientId: 'app',
      redirectUri: 'https://app.example/cb',
    });
    const sid = decodeJwt(tokens.access_token).sid as string;
    expect((await deps.store.getSession(sid))?.origin).toBe('admin');
  });
});
