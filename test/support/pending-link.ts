import { noRequest } from '../../src/core/audit/audit';
import { ssoSignInOrConfirm } from '../../src/core/identity/sso-sign-in';
import { createSsoTokenVerifier } from '../../src/core/identity/sso-token';
import type { CoreDeps } from '../../src/core/shared/deps';
import { ssoToken } from './linking';

export const HANDOFF = { returnTo: '/landing', codeChallenge: null, clientId: null };

/** The browser's SSO callback in the core, as `/auth/sso?jwt=` runs it. */
export const browserSso = async (deps: CoreDeps, email: string, groups: string[] = []) => {
  const verify = createSsoTokenVerifier(deps.config.sso as never, deps.clock.now);
  return ssoSignInOrConfirm(
    deps,
    verify,
    await ssoToken(deps, { email, groups }),
    noRequest,
    HANDOFF,
  );
};

/** The pending link's secret of a browser SSO login that must confirm; throws otherwise. */
export const pendingSecret = async (deps: CoreDeps, email: string, groups: string[] = []) => {
  const outcome = await browserSso(deps, email, groups);
  if (!('pending' in outcome)) throw new Error('expected a pending link');
  return outcome.pending.token;
};
