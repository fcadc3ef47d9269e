import type { CoreDeps } from '../../core/deps';
import { introspectToken } from '../../core/introspection';
import { revokeAnyToken } from '../../core/token-revocation';
import { accessTokenCheck } from '../access-token-check';
import { type Action, requireActor } from '../handler';
import { json } from '../responses';
import type { TokenForm } from '../schemas';

const checks = new WeakMap<CoreDeps, ReturnType<typeof accessTokenCheck>>();
const verifyWith = (deps: CoreDeps) => {
  let check = checks.get(deps);
  if (!check) {
    check = accessTokenCheck(deps);
    checks.set(deps, check);
  }
  return check;
};

export const introspectAction: Action = async (request) => {
  await requireActor(request);
  const { token } = request.body as TokenForm;
  return json(200, await introspectToken(request.deps, token, verifyWith(request.deps)));
};

export const revokeAction: Action = async (request) => {
  const actor = await requireActor(request);
  const { token } = request.body as TokenForm;
  await revokeAnyToken(request.deps, actor, token, verifyWith(request.deps), request.meta);
  return json(200, {});
};
