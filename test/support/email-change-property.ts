import fc from 'fast-check';
import { expect } from 'vitest';
import { updateOwnProfile } from '../../src/core/account/account';
import type { EmailMessage, Mailer } from '../../src/core/shared/mailer';
import type { Store } from '../../src/core/shared/store';
import { emailKey, toPublicUser } from '../../src/core/users/users';
import { backgroundMailQueue } from '../../src/http/mail-queue';
import { testDeps } from './core-deps';
import { aUser } from './users';

type SesMood = 'answers' | 'hangs' | 'fails';

/**
 * Invariant (finding 8): `PATCH /me {email}` tells nobody whether an address has an account.
 * Over random sequences of email changes by random account holders to random addresses (some
 * held by other accounts), with SES answering, hanging or failing at random: every request
 * answers, with the caller's unchanged user, whether the address is taken or free, after the
 * same queue work (one batch); a link and a notice go out for each free address and nothing at
 * all for a taken one.
 */
export const checkEmailChangeGivesNoSignal = (freshStore: () => Promise<Store>, numRuns: number) =>
  fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          actor: fc.nat({ max: 2 }),
          address: fc.nat({ max: 5 }),
          ses: fc.constantFrom<SesMood>('answers', 'hangs', 'fails'),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      async (changes) => {
        const pool = [0, 1, 2, 3, 4, 5].map((i) => `person-${i}@enum.test`);
        let mood: SesMood = 'answers';
        const attempted: EmailMessage[] = [];
        const ses: Mailer = {
          send: (message) => {
            attempted.push(message);
            if (mood === 'hangs') return new Promise<void>(() => {});
            return mood === 'fails' ? Promise.reject(new Error('SES is down')) : Promise.resolve();
          },
        };
        const queue = backgroundMailQueue(ses, []);
        let batches = 0;
        const deps = {
          ...testDeps({}, await freshStore()),
          mail: {
            enqueue: (m: readonly EmailMessage[]) => {
              batches++;
              return queue.enqueue(m);
            },
          },
        };
        const holders = pool.slice(0, 3).map((email) => aUser({ email }));
        for (const user of holders) await deps.store.createUser(user);

        let expectedLinks = 0;
        for (const change of changes) {
          mood = change.ses;
          const user = holders[change.actor] as (typeof holders)[number];
          const address = pool[change.address] as string;
          const taken = (await deps.store.findUserByEmail(emailKey(address))) !== null;
          const before = attempted.length;
          const batchesBefore = batches;
          const answer = await updateOwnProfile(
            deps,
            { kind: 'user', user, tokenId: null },
            { email: address },
            { ip: '203.0.113.9', userAgent: null },
            // Signed in just now: the step-up holds (this property is about the mails).
            { authTime: deps.clock.now() },
          );
          // The same answer for a taken address as for a free one: the user as it was.
          expect(answer).toEqual(toPublicUser(user));
          const sent = attempted.slice(before);
          // The same queue work either way: one batch for any address but the caller's own.
          const own = emailKey(address) === user.emailKey;
          expect(batches - batchesBefore).toBe(own ? 0 : 1);
          if (taken || own) {
            expect(sent).toEqual([]);
          } else {
            expectedLinks++;
            expect(sent.map((m) => m.to).sort()).toEqual([address, user.email].sort());
          }
        }
        const links = attempted.filter((m) => m.subject === 'Confirm your new email address');
        expect(links).toHaveLength(expectedLinks);
      },
    ),
    { numRuns },
  );
