import type { PublicUser } from './users';

/** The source every Gatehouse event carries (EventBridge rules and IAM conditions match it). */
export const USER_EVENT_SOURCE = 'gatehouse';

/** Lifecycle events operators can hook (a chat message when someone awaits approval). */
export interface UserEvent {
  type: 'user.pending';
  user: Pick<PublicUser, 'id' | 'email' | 'username' | 'name' | 'role' | 'type'>;
}

export interface UserEventPublisher {
  publish(event: UserEvent): Promise<void>;
}
