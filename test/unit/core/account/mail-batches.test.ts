import { describe, expect, it } from 'vitest';
import { forgotPassword, resendVerification } from '../../../../src/core/account/self-service';
import type { EmailMessage } from '../../../../src/core/shared/mailer';
import { testDeps } from '../../../support/core-deps';
import { createUserWithPassword } from '../../../support/users';

/**
 * Invariant: forgot-password and resend do the same queue work (one batch) whether or not the
 * address has an account that gets mail; only the batch's content differs, and it is sent off
 * the request's path.
 */
describe('the queue work of forgot-password and resend', () => {
  const setUp = async () => {
    const batches: (readonly EmailMessage[])[] = [];
    const deps = {
      ...testDeps(),
      mail: { enqueue: async (m: readonly EmailMessage[]) => void batches.push(m) },
    };
    await createUserWithPassword(deps, { email: 'active@example.com' });
    await createUserWithPassword(deps, { email: 'new@example.com', status: 'unverified' });
    return { deps, batches };
  };
  const meta = { ip: '203.0.113.7', userAgent: null };

  it.each([
    [
      'forgot-password',
      forgotPassword,
      ['active@example.com', 'new@example.com'],
      ['nobody@example.com'],
    ],
    [
      'resend',
      resendVerification,
      ['new@example.com'],
      ['nobody@example.com', 'active@example.com'],
    ],
  ] as const)('%s queues one batch for every address', async (_name, flow, mailed, unmailed) => {
    const { deps, batches } = await setUp();
    for (const email of [...mailed, ...unmailed]) await flow(deps, email, meta);
    expect(batches.map((batch) => batch.map((m) => m.to))).toEqual([
      ...mailed.map((email) => [email]),
      ...unmailed.map(() => []),
    ]);
  });
});
