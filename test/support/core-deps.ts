import { randomBytes } from 'node:crypto';
import { createLockSightings } from '../../src/core/sessions/lock-sightings';
import { createBcryptHasher } from '../../src/core/sessions/password-hasher';
import { loadConfig } from '../../src/core/shared/config';
import type { CoreDeps } from '../../src/core/shared/deps';
import type { EmailMessage, MailQueue } from '../../src/core/shared/mailer';
import type { Store } from '../../src/core/shared/store';
import {
  currentSigners,
  newSigningKeySet,
  type SigningKeySet,
} from '../../src/core/tokens/signing-keys';
import { defaultScopeCatalog } from '../../src/core/users/roles';
import type { UserEvent } from '../../src/core/users/user-events';
import { createMemoryStore } from '../../src/store/memory-store';
import { type FakeClock, fakeClock } from './fake-clock';

export interface RecordingMailQueue extends MailQueue {
  /** Every message queued so far, oldest first. */
  sent: EmailMessage[];
}

/** A mail queue for unit tests: keeps what it is given. (Integration tests read the SES emulator.) */
export const recordingMailQueue = (): RecordingMailQueue => {
  const sent: EmailMessage[] = [];
  return {
    sent,
    enqueue: async (messages) => {
      sent.push(...messages);
    },
  };
};

export interface TestDeps extends CoreDeps {
  clock: FakeClock;
  keySet: SigningKeySet;
  /** Events published so far. */
  published: UserEvent[];
  mail: RecordingMailQueue;
  /** The same recorder as `mail`, under the name tests read it by. */
  mailer: RecordingMailQueue;
}

let keys: { keySet: SigningKeySet; signers: ReturnType<typeof currentSigners> } | undefined;

/** One key set per test process: an RSA key takes a while to make, and property runs make thousands of deps. */
const sharedKeys = (now: number) => {
  if (!keys) {
    const keySet = newSigningKeySet(now);
    keys = { keySet, signers: currentSigners(keySet) };
  }
  return keys;
};

/** Core dependencies for unit tests: in-memory store, fake clock, cheap bcrypt, recorded mail. */
export const testDeps = (
  env: Record<string, string> = {},
  store: Store = createMemoryStore(),
): TestDeps => {
  const clock = fakeClock();
  const { keySet, signers } = sharedKeys(clock.now());
  const published: UserEvent[] = [];
  const mail = recordingMailQueue();
  const cursorKey = randomBytes(32);
  return {
    config: loadConfig({ ISSUER_URL: 'https://auth.example.com', ...env }),
    store,
    clock,
    // Cost 4 keeps unit tests fast; the production floor (10) is enforced by loadConfig.
    hasher: createBcryptHasher(4),
    scopes: defaultScopeCatalog,
    signer: async (alg) => signers[alg],
    cursorKey: async () => cursorKey,
    keySet,
    published,
    events: {
      publish: async (event) => {
        published.push(event);
      },
    },
    mail,
    mailer: mail,
    lockSightings: createLockSightings(),
    onAuditFailure: (error) => {
      throw error;
    },
    // A count is never awaited (count-activity.ts): a lost one cannot fail the test that made
    // it, and DynamoDB Local under load may drop one; tests that care read the dashboard.
    onActivityFailure: () => {},
  };
};
