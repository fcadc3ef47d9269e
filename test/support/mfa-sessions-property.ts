import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import { confirmTotp, enrolTotp, issueMfaToken } from '../../src/core/mfa';
import { MfaRequiredError } from '../../src/core/mfa/second-factor-gate';
import { totpStep } from '../../src/core/mfa/totp';
import { credentialVersionOf } from '../../src/core/sessions/credential-version';
import { sessionGrants } from '../../src/core/sessions/mfa-policy';
import { finishMfaSignIn } from '../../src/core/sessions/mfa-sign-in';
import {
  rotateRefreshToken,
  sessionAmr,
  type TokenResponse,
} from '../../src/core/sessions/sessions';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { Store } from '../../src/core/shared/store';
import { resetUserFactors } from '../../src/core/users/mfa-reset';
import type { UserRecord } from '../../src/core/users/users';
import { linkingDeps, ssoSignIn } from './linking';
import { totpCodeAt } from './totp-codes';
import { aUser, createUserWithPassword, PASSWORD } from './users';

type Step =
  | { kind: 'sign-in' }
  | { kind: 'refresh'; pick: number; older: boolean }
  | { kind: 'confirm' }
  | { kind: 'clear' }
  | { kind: 'takeover' }
  | { kind: 'renew'; pick: number }
  | { kind: 'wait'; seconds: number };

const pick = fc.nat({ max: 7 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'sign-in' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('refresh' as const), pick, older: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'confirm' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'takeover' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('renew' as const), pick }) },
  fc.record({ kind: fc.constant('wait' as const), seconds: fc.constantFrom(31, 200, 400) }),
);

/** A session as its holder sees it: every refresh token it was given, newest last. */
interface Held {
  sid: string;
  tokens: string[];
}

/**
 * Over random sequences of password sign-ins (finished with a TOTP code when a factor is due),
 * refreshes with the newest or an older refresh token, factor confirmation, an admin clearing
 * the factors, a provider's takeover, and step-up renewals (a new refresh generation), for a user of an
 * MFA_REQUIRED_ROLES role. Invariants, after every step:
 * - a refresh token other than the session's newest never yields tokens, and its use ends the
 *   session (rotation reuse and older generations alike);
 * - no token and no session's grants give more than `profile` while the session's amr lacks
 *   `mfa` (sessionGrants, the access token's scope);
 * - after the admin's clear, the user has no factor and no live session; after a provider's
 *   takeover (the email was unproven), no factor and none of the earlier holder's sessions.
 */
export const mfaSessionsProperty = async (newStore: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
      // A lock would hide what the model says; lockout has its own tests.
      const deps = linkingDeps(
        { LOCKOUT_THRESHOLD: '100', MFA_REQUIRED_ROLES: 'editor' },
        await newStore(),
      );
      const owner = await createUserWithPassword(deps, { role: 'owner' });
      // An unproven email: a trusted provider's login of it takes the account over.
      const created = aUser({
        role: 'editor',
        emailVerified: false,
        passwordHash: await deps.hasher.hash(PASSWORD),
      });
      await deps.store.createUser(created);
      let takenOver = false;
      const admin = { kind: 'user' as const, user: owner, tokenId: null, origin: 'self' as const };
      const held: Held[] = [];
      let factor: { secret: string; lastStep: number } | null = null;
      const now = () => deps.clock.now();
      const current = async () => (await deps.store.getUser(created.id)) as UserRecord;

      /** A TOTP code of a step the factor has not used: the clock moves on if it must. */
      const freshCode = () => {
        if (!factor) throw new Error('no factor');
        if (totpStep(now()) <= factor.lastStep) deps.clock.advance(31);
        factor.lastStep = totpStep(now());
        return totpCodeAt(factor.secret, now());
      };

      /** Invariant: a token carries the role's grants only with `mfa` in its session's amr. */
      const checkTokens = (tokens: TokenResponse) => {
        const claims = decodeJwt(tokens.access_token);
        const amr = (claims.amr as string[] | undefined) ?? [];
        if (!amr.includes('mfa')) expect(tokens.scope).toBe('profile');
        return claims.sid as string;
      };

      const signIn = async () => {
        try {
          return await signInWithPassword(deps, { login: created.email, password: PASSWORD });
        } catch (error) {
          if (!(error instanceof MfaRequiredError)) throw error;
          const code = freshCode();
          return finishMfaSignIn(
            deps,
            { mfaToken: error.mfaToken, code },
            { endpoint: 'auth' },
            noRequest,
          );
        }
      };

      for (const s of steps) {
        if (s.kind === 'wait') deps.clock.advance(s.seconds);
        else if (s.kind === 'sign-in') {
          // A takeover ended the password: nothing signs in with it.
          if (takenOver) {
            await expect(signIn()).rejects.toMatchObject({ code: 'invalid_credentials' });
            continue;
          }
          const tokens = await signIn();
          held.push({ sid: checkTokens(tokens), tokens: [tokens.refresh_token] });
        } else if (s.kind === 'refresh') {
          const session = held[s.pick % Math.max(1, held.length)];
          if (!session) continue;
          const newest = session.tokens.length - 1;
          const index = s.older && newest > 0 ? s.pick % newest : newest;
          const token = session.tokens[index] as string;
          const stored = await deps.store.getSession(session.sid);
          const user = await current();
          const outcome = await rotateRefreshToken(deps, token, { endpoint: 'auth' }).then(
            (tokens) => tokens,
            (error: unknown) => error,
          );
          if (index < newest) {
            // Invariant: an older refresh token never yields tokens, and its use ends the session.
            expect(outcome).not.toHaveProperty('access_token');
            expect((await deps.store.getSession(session.sid))?.revokedAt).not.toBeNull();
          } else if (outcome && typeof outcome === 'object' && 'access_token' in outcome) {
            checkTokens(outcome as TokenResponse);
            session.tokens.push((outcome as TokenResponse).refresh_token);
          } else {
            // The newest token is refused only for a reason the model knows.
            const live =
              stored?.revokedAt === null &&
              credentialVersionOf(stored) === credentialVersionOf(user);
            const heldBack = stored ? !sessionAmr(stored).includes('mfa') : false;
            expect(!live || (heldBack && factor !== null)).toBe(true);
          }
        } else if (s.kind === 'confirm') {
          if (factor) continue;
          const user = await current();
          const enrolled = await enrolTotp(deps, user, 'phone');
          await confirmTotp(
            deps,
            user,
            enrolled.factor_id,
            totpCodeAt(enrolled.secret, now()),
            noRequest,
          );
          factor = { secret: enrolled.secret, lastStep: totpStep(now()) };
        } else if (s.kind === 'clear') {
          await resetUserFactors(deps, admin, created.id, noRequest);
          factor = null;
          // Invariant: after the clear, no factor and no live session.
          expect((await deps.store.getMfaState(created.id)).factors).toEqual([]);
          for (const session of held) {
            expect((await deps.store.getSession(session.sid))?.revokedAt).not.toBeNull();
          }
        } else if (s.kind === 'takeover') {
          if (takenOver) continue;
          // Its group maps to the same role (linkingDeps): still one that requires MFA.
          const { tokens, user } = await ssoSignIn(deps, created.email, ['eds']);
          expect(user.role).toBe('editor');
          takenOver = true;
          factor = null;
          // Invariant: the takeover leaves no factor and none of the earlier holder's sessions.
          expect((await deps.store.getMfaState(created.id)).factors).toEqual([]);
          for (const session of held) {
            expect((await deps.store.getSession(session.sid))?.revokedAt).not.toBeNull();
          }
          held.push({ sid: checkTokens(tokens), tokens: [tokens.refresh_token] });
        } else {
          // A step-up of a live session with the factor: a fresh pair, a new refresh generation.
          const session = held[s.pick % Math.max(1, held.length)];
          if (!session || !factor) continue;
          const stored = await deps.store.getSession(session.sid);
          const user = await current();
          if (!stored || stored.revokedAt !== null) continue;
          if (credentialVersionOf(stored) !== credentialVersionOf(user)) continue;
          const { mfaToken } = await issueMfaToken(deps, user.id, {
            method: 'reauth',
            clientId: null,
            sid: session.sid,
            amr: sessionAmr(stored),
            credentialVersion: credentialVersionOf(user),
          });
          const tokens = await finishMfaSignIn(
            deps,
            { mfaToken, code: freshCode() },
            { endpoint: 'auth' },
            noRequest,
          );
          expect(checkTokens(tokens)).toBe(session.sid);
          session.tokens.push(tokens.refresh_token);
        }
        // Invariant: no live session's grants exceed `profile` without `mfa` in its amr.
        const user = await current();
        for (const { sid } of held) {
          const session = await deps.store.getSession(sid);
          if (!session || session.revokedAt !== null) continue;
          if (!sessionAmr(session).includes('mfa')) {
            expect(sessionGrants(deps, user, session)).toEqual(['profile']);
          }
        }
      }
    }),
    { numRuns },
  );
};
