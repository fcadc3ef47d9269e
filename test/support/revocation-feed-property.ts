import fc from 'fast-check';
import { rotateRefreshToken, startSession } from '../../src/core/sessions/sessions';
import type { Store } from '../../src/core/shared/store';
import { type Authorize, authorizerFor } from './attack/judge';
import { testDeps } from './core-deps';
import { aUser } from './users';

const USERS = 3;
const MAX_INSTANCES = 3;
const WINDOW_SECONDS = 10;

/**
 * One step: sign-ins, refreshes and every way a session ends (one session: sign-out or a
 * token's revocation; a user's sweep: role change, disable, delete, password change or reset),
 * the clock moving (within a window, across it, past the access token's 900 s) and authorizer
 * instances cold-starting at any moment, each with a lookback long or short (a short one
 * sends older tokens to the session read).
 */
const step = fc.oneof(
  fc.record({ op: fc.constant('signIn' as const), user: fc.nat(USERS - 1) }),
  fc.record({ op: fc.constant('refresh' as const), token: fc.nat() }),
  fc.record({ op: fc.constant('endOne' as const), token: fc.nat() }),
  fc.record({
    op: fc.constant('sweep' as const),
    user: fc.nat(USERS - 1),
    keepToken: fc.option(fc.nat(), { nil: undefined }),
  }),
  fc.record({
    op: fc.constant('advance' as const),
    ms: fc.oneof(fc.integer({ min: 0, max: 12_000 }), fc.integer({ min: 0, max: 400_000 })),
  }),
  fc.record({ op: fc.constant('coldStart' as const), lookbackSeconds: fc.constantFrom(60, 1200) }),
);

export const feedRun = fc.array(step, { minLength: 1, maxLength: 24 });
type Run = typeof feedRun extends fc.Arbitrary<infer T> ? T : never;

interface Issued {
  sid: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  exp: number;
}

const claimsOf = (token: string): { sid: string; exp: number } =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
const expOf = (token: string): number => claimsOf(token).exp * 1000;

/**
 * Invariants (contract "Revocation bound", through the revocation feed): a token whose session
 * ended at t is refused by every authorizer instance at every time >= t + REVOCATION_CACHE_SECONDS;
 * an unexpired token of a live session is allowed by every instance.
 */
export const checkFeedRun = async (store: Store, run: Run) => {
  const deps = testDeps({ REVOCATION_CACHE_SECONDS: String(WINDOW_SECONDS) }, store);
  const users = Array.from({ length: USERS }, () => aUser());
  for (const user of users) await store.createUser(user);
  const instances: Authorize[] = [authorizerFor(deps)];
  const tokens: Issued[] = [];
  /** When each session ended, as the model knows it. */
  const endedAt = new Map<string, number>();
  const latestRefresh = new Map<string, string>();
  const trace: string[] = [];
  const pick = (n: number) => (tokens.length ? tokens[n % tokens.length] : undefined);

  const check = async () => {
    const now = deps.clock.now();
    for (const token of tokens) {
      const ended = endedAt.get(token.sid);
      const mustRefuse = ended !== undefined && now >= ended + WINDOW_SECONDS * 1000;
      const mustAllow = ended === undefined && token.exp > now;
      if (!mustRefuse && !mustAllow) continue;
      for (const [index, authorize] of instances.entries()) {
        const verdict = await authorize(token.accessToken);
        if (verdict.works !== mustAllow) {
          throw new Error(
            `instance ${index} ${verdict.works ? 'allowed' : 'refused'} a token of ${
              mustAllow ? 'a live' : `an ended (at ${ended})`
            } session at ${now}\n  ${trace.join('\n  ')}`,
          );
        }
      }
    }
  };

  for (const s of run) {
    const now = deps.clock.now();
    trace.push(`${now}: ${JSON.stringify(s)}`);
    switch (s.op) {
      case 'signIn': {
        const user = users[s.user] ?? users[0];
        if (!user) break;
        const response = await startSession(deps, user);
        tokens.push({
          sid: claimsOf(response.access_token).sid,
          userId: user.id,
          accessToken: response.access_token,
          refreshToken: response.refresh_token,
          exp: expOf(response.access_token),
        });
        break;
      }
      case 'refresh': {
        const token = pick(s.token);
        if (!token || endedAt.has(token.sid)) break;
        // The session's newest refresh token: an older one is a reuse, refused.
        const current = latestRefresh.get(token.sid) ?? token.refreshToken;
        const response = await rotateRefreshToken(deps, current, { endpoint: 'auth' });
        latestRefresh.set(token.sid, response.refresh_token);
        tokens.push({
          ...token,
          refreshToken: response.refresh_token,
          accessToken: response.access_token,
          exp: expOf(response.access_token),
        });
        break;
      }
      case 'endOne': {
        const token = pick(s.token);
        if (!token) break;
        await store.revokeSession(token.sid, now);
        if (!endedAt.has(token.sid)) endedAt.set(token.sid, now);
        break;
      }
      case 'sweep': {
        const user = users[s.user];
        if (!user) break;
        const keep = s.keepToken === undefined ? undefined : pick(s.keepToken);
        const keepSid = keep?.userId === user.id ? keep.sid : undefined;
        await store.revokeUserSessions(user.id, now, keepSid ? { keepSid } : {});
        for (const token of tokens) {
          if (token.userId === user.id && token.sid !== keepSid && !endedAt.has(token.sid)) {
            endedAt.set(token.sid, now);
          }
        }
        break;
      }
      case 'advance':
        deps.clock.advance(s.ms / 1000);
        break;
      case 'coldStart':
        if (instances.length >= MAX_INSTANCES) instances.shift();
        instances.push(authorizerFor(deps, s.lookbackSeconds));
        break;
    }
    await check();
  }
};
