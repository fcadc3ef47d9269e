import type { RequestMeta } from '../audit/audit';
import type { SessionRecord } from '../shared/store';

/** The longest User-Agent a session keeps: enough to name a browser, never a page of text. */
const USER_AGENT_MAX = 200;

/** Where a session was opened from, as stored with it (the user page shows it). */
export const openingFacts = (meta: RequestMeta): Pick<SessionRecord, 'ip' | 'userAgent'> => ({
  ...(meta.ip ? { ip: meta.ip } : {}),
  ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, USER_AGENT_MAX) } : {}),
});

/**
 * When the person behind a session last proved who they are (a step-up's recent sign-in); 0
 * when no person did (client_credentials, an imported credential), which is never recent.
 */
export const sessionAuthTime = (session: SessionRecord): number =>
  session.authTime ?? session.createdAt;

/** Origins whose sign-in was not a password typed here. */
const NOT_A_PASSWORD: ReadonlySet<string> = new Set(['sso', 'provider', 'import']);

/**
 * RFC 8176 methods of the sign-in behind the session, per API.md: what the sign-in recorded
 * (a second factor adds `otp` and `mfa`), kept through refresh; a session stored without them
 * is derived from its origin: a password is `pwd`; an SSO or federated login carries the
 * provider's methods only where it is trusted for them, so none; no person (client_credentials)
 * and an imported credential, none. Invariant: never a method that did not happen.
 */
export const sessionAmr = (session: SessionRecord): string[] => {
  if (session.amr) return [...session.amr];
  return session.authTime === 0 || NOT_A_PASSWORD.has(session.origin ?? '') ? [] : ['pwd'];
};
