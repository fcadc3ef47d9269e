import { describe, expect, it } from 'vitest';
import type { EmailMessage, Mailer } from '../../../src/core/shared/mailer';
import { backgroundMailQueue, lambdaMailQueue } from '../../../src/http/mail-queue';
import { mailerEventHandler } from '../../../src/http/mailer-function';

/** Invariant: queuing a mail never waits for SES and never fails, whatever SES does. */
const message: EmailMessage = { to: 'a@example.com', subject: 'Hi', text: 't', html: '<p>t</p>' };

describe('backgroundMailQueue', () => {
  it('resolves at once while the mailer never answers', async () => {
    const queue = backgroundMailQueue({ send: () => new Promise<void>(() => {}) });
    await expect(queue.enqueue([message])).resolves.toBeUndefined();
  });

  it('retries a failing mailer until it sends, without the caller seeing a failure', async () => {
    const sent: EmailMessage[] = [];
    let failures = 2;
    const mailer: Mailer = {
      send: async (m) => {
        if (failures-- > 0) throw new Error('SES is down');
        sent.push(m);
      },
    };
    await backgroundMailQueue(mailer, [1, 1, 1]).enqueue([message]);
    await expect.poll(() => sent, { timeout: 1000 }).toEqual([message]);
  });

  it('gives up after its last retry, still without failing the caller', async () => {
    let attempts = 0;
    const mailer: Mailer = {
      send: async () => {
        attempts++;
        throw new Error('SES is down');
      },
    };
    await backgroundMailQueue(mailer, [1, 1]).enqueue([message]);
    await expect.poll(() => attempts, { timeout: 1000 }).toBe(3);
  });
});

describe('lambdaMailQueue', () => {
  it('never rejects, even when Lambda cannot be reached', async () => {
    // No Lambda SDK or credentials here: the invocation fails and is logged, not thrown.
    await expect(lambdaMailQueue('gatehouse-mailer').enqueue([message])).resolves.toBeUndefined();
  });
});

describe('the mailer function', () => {
  const recording = () => {
    const sent: EmailMessage[] = [];
    return { sent, handle: mailerEventHandler({ send: async (m) => void sent.push(m) }) };
  };

  it('sends the mails of its batch in order, and nothing for the empty (decoy) batch', async () => {
    const { sent, handle } = recording();
    const second = { ...message, to: 'b@example.com' };
    await handle({ messages: [message, second] });
    await handle({ messages: [] });
    expect(sent).toEqual([message, second]);
  });

  it('passes SES failures on so Lambda retries', async () => {
    const failing = mailerEventHandler({
      send: async () => {
        throw new Error('SES is down');
      },
    });
    await expect(failing({ messages: [message] })).rejects.toThrow('SES is down');
  });

  it('drops a malformed event without sending', async () => {
    const { sent, handle } = recording();
    await handle({ messages: [{ ...message, to: 42 }] } as never);
    await handle({ message } as never);
    await handle(null as never);
    expect(sent).toEqual([]);
  });
});
