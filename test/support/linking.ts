import { noRequest } from '../../src/core/audit/audit';
import { signInWithSso } from '../../src/core/identity/sso-sign-in';
import { createSsoTokenVerifier } from '../../src/core/identity/sso-token';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { CoreDeps } from '../../src/core/shared/deps';
import type { Store } from '../../src/core/shared/store';
import { createApiToken } from '../../src/core/tokens/api-tokens';
import type { UserRecord } from '../../src/core/users/users';
import { type TestDeps, testDeps } from './core-deps';
import { hs256SsoToken } from './sso-token';

export const LINK_SECRET = 'a unit sso secret, long enough';

/** Core deps with HS256 JWT SSO, group sync (owners, admins, eds) and sign-up on. */
export const linkingDeps = (env: Record<string, string> = {}, store?: Store): TestDeps =>
  testDeps(
    {
      SSO_JWT_SECRET: LINK_SECRET,
      SSO_GROUP_SYNC: '1',
      SSO_GROUP_MAPPINGS: JSON.stringify({ owners: 'owner', admins: 'admin', eds: 'editor' }),
      SIGN_UP_ENABLED: '1',
      RATE_LIMIT_PER_IP: '0',
      ...env,
    },
    store,
  );

let jti = 0;
/** An HS256 SSO token as a Metabase-style provider signs it, fresh on the deps' clock. */
export const ssoToken = (deps: CoreDeps, claims: Record<string, unknown>) =>
  hs256SsoToken(deps.clock, { ...claims, n: ++jti }, LINK_SECRET, 120);

/** The whole SSO sign-in in the core, as `/auth/sso?jwt=` does it. */
export const ssoSignIn = async (deps: CoreDeps, email: string, groups: string[] = []) => {
  const verify = createSsoTokenVerifier(deps.config.sso as never, deps.clock.now);
  return signInWithSso(deps, verify, await ssoToken(deps, { email, groups }), noRequest);
};

/** The sid in an access token (no verification: the test made it). */
export const sidOf = (accessToken: string): string =>
  JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()).sid;

/** A password sign-in's session id, or the error code that refused it. */
export const passwordSession = async (deps: CoreDeps, login: string, password: string) => {
  try {
    return { sid: sidOf((await signInWithPassword(deps, { login, password })).access_token) };
  } catch (error) {
    return { refused: (error as { code: string }).code };
  }
};

/** An unscoped API token the user makes for themselves; answers its id. */
export const apiTokenOf = async (deps: CoreDeps, user: UserRecord) =>
  (
    await createApiToken(
      deps,
      { kind: 'user', user, tokenId: null },
      deps.scopes[user.role],
      { name: 'mine' },
      noRequest,
      { sid: '', tokenId: null },
    )
  ).token_id;

/** The role a credential authenticates with now, or null when it no longer does. */
export const roleNow = {
  password: async (deps: CoreDeps, userId: string, password: string) => {
    const user = await deps.store.getUser(userId);
    if (!user?.passwordHash || user.status !== 'active') return null;
    return (await deps.hasher.verify(password, user.passwordHash)) ? user.role : null;
  },
  session: async (deps: CoreDeps, sid: string) => {
    const session = await deps.store.getSession(sid);
    const user = session && (await deps.store.getUser(session.userId));
    return session && !session.revokedAt && user?.status === 'active' ? user.role : null;
  },
  apiToken: async (deps: CoreDeps, tokenId: string) => {
    const token = await deps.store.getApiToken(tokenId);
    const user = token && (await deps.store.getUser(token.userId));
    return token && !token.revokedAt && user?.status === 'active' ? user.role : null;
  },
};
