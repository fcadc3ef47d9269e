import { assertAccountSession } from '../../core/account/account-access';
import { stepUpProofOf } from '../../core/sessions/reauthentication';
import { type ActionRequest, requireActor } from '../handler';
import { proofCredential } from './webauthn-json';

/** Account routes take a session's token, of no client or a first-party one (API.md). */
export const requireSession = async (request: ActionRequest) => {
  const actor = await requireActor(request);
  const sid = request.principal?.sid ?? '';
  await assertAccountSession(request.deps, {
    sid,
    clientId: request.principal?.clientId ?? '',
  });
  return { actor, sid };
};

/**
 * The step-up proof a request offers: its body's `password`, `code` and `credential` (a WebAuthn
 * assertion), and its session.
 */
export const proofOf = (
  request: ActionRequest,
  session: Awaited<ReturnType<typeof requireSession>>,
  given: { password?: string | undefined; code?: string | undefined; credential?: unknown },
) =>
  stepUpProofOf(request.deps, session.actor.user.id, session.sid, {
    password: given.password,
    code: given.code,
    ...proofCredential(given.credential as Parameters<typeof proofCredential>[0]),
  });
