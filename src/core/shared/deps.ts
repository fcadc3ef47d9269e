import type { ActivityCounts } from '../activity/metrics';
import type { AuditEvent } from '../audit/audit';
import type { LockSightings } from '../sessions/lock-sightings';
import type { PasswordHasher } from '../sessions/password-hasher';
import type { Signer, SigningAlg } from '../tokens/signing-keys';
import type { ScopeCatalog } from '../users/roles';
import type { UserEventPublisher } from '../users/user-events';
import type { Clock } from './clock';
import type { Config } from './config';
import type { MailQueue } from './mailer';
import type { Store } from './store';

/** What the core needs, built once per cold start by a composition root. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  hasher: PasswordHasher;
  config: Config;
  scopes: ScopeCatalog;
  /** The key that signs with `alg` (access tokens: config.accessTokenSigningAlg); loaded on first use. */
  signer: (alg: SigningAlg) => Promise<Signer>;
  events: UserEventPublisher;
  /** Queues every account mail (verification, reset, email change, notices): never waited on. */
  mail: MailQueue;
  /** The key that authenticates listing cursors (HMAC-SHA256); loaded on first use. */
  cursorKey: () => Promise<Uint8Array>;
  /** Lockout keys this instance saw locked: where sign-in may skip its early bcrypt. */
  lockSightings: LockSightings;
  /** An audit event could not be written: report it, the change itself stands. */
  onAuditFailure: (error: unknown, event: AuditEvent) => void;
  /** An activity count could not be written: report it, the request stands. */
  onActivityFailure: (error: unknown, counts: ActivityCounts) => void;
}
