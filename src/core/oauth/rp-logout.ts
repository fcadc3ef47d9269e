import type { CoreDeps } from '../shared/deps';
import { findClient } from './client-lookup';
import { verifyIdTokenHint } from './id-token-hint';

/** The parameters of OpenID RP-Initiated Logout 1.0 §2 that Gatehouse reads. */
export interface LogoutRequest {
  idTokenHint: string;
  clientId: string;
  postLogoutRedirectUri: string;
  state: string;
}

export type LogoutPlan =
  | { kind: 'refused'; reason: string }
  | {
      kind: 'logout';
      /** The user a verified hint names, or null without a hint. */
      hintSub: string | null;
      /** The hint's auth_time (seconds): which sign-in of that user it came from. */
      hintAuthTime: number | null;
      /** The client that asked (the hint's, or `client_id`), when it is registered. */
      clientId: string | null;
      clientName: string | null;
      /** Where to send the browser after: a URI the client registered, exactly; else null. */
      redirectTo: string | null;
    };

/**
 * What a logout request may do. Invariant (no open redirect): the browser is only ever sent
 * back to a `post_logout_redirect_uri` the named client registered, byte for byte; a hint
 * issued to another client than `client_id` refuses the whole request.
 */
export const planLogout = async (deps: CoreDeps, request: LogoutRequest): Promise<LogoutPlan> => {
  const hint = request.idTokenHint ? await verifyIdTokenHint(deps, request.idTokenHint) : null;
  if (request.idTokenHint && !hint) {
    return { kind: 'refused', reason: 'The id_token_hint is not an ID token issued here.' };
  }
  if (hint && request.clientId && hint.clientId !== request.clientId) {
    return { kind: 'refused', reason: 'The id_token_hint was issued to another application.' };
  }
  const clientId = hint?.clientId ?? request.clientId;
  const client = clientId ? await findClient(deps, clientId) : null;
  const registered = client?.postLogoutRedirectUris ?? [];
  const uri = request.postLogoutRedirectUri;
  return {
    kind: 'logout',
    hintSub: hint?.sub ?? null,
    hintAuthTime: hint?.authTime ?? null,
    clientId: client?.clientId ?? null,
    clientName: client?.name ?? null,
    redirectTo: uri && registered.includes(uri) ? uri : null,
  };
};
