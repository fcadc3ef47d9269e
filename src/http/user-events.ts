import {
  USER_EVENT_SOURCE,
  type UserEvent,
  type UserEventPublisher,
} from '../core/users/user-events';
import { logger } from './logger';

/**
 * On AWS (EVENT_BUS_NAME set) events go to EventBridge, source `gatehouse`, detail-type the
 * event's type, for operators' rules; locally they are a log line.
 */
export const userEventsFromEnv = (env: Record<string, string | undefined>): UserEventPublisher => {
  const busName = env.EVENT_BUS_NAME;
  if (!busName) {
    return {
      publish: async (event: UserEvent) => {
        logger.info({ event: event.type, user: event.user }, `event ${event.type}`);
      },
    };
  }
  let client: Promise<{ send: (event: UserEvent) => Promise<void> }> | undefined;
  const connect = async () => {
    const [{ EventBridgeClient, PutEventsCommand }, budget] = await Promise.all([
      import('@aws-sdk/client-eventbridge'),
      import('../store/aws-client-budget'),
    ]);
    const eventBridge = budget.withFaultBudget(
      new EventBridgeClient(budget.budgetedClientConfig()),
      'The event bus',
    );
    return {
      send: async (event: UserEvent) => {
        const result = await eventBridge.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: busName,
                Source: USER_EVENT_SOURCE,
                DetailType: event.type,
                Detail: JSON.stringify(event),
              },
            ],
          }),
        );
        if (result.FailedEntryCount) throw new Error(`EventBridge refused ${event.type}`);
      },
    };
  };
  return {
    async publish(event) {
      client ??= connect();
      try {
        await (await client).send(event);
      } catch (error) {
        // The change already happened; a lost notification must not undo or fail it.
        logger.error(
          { err: error, event: event.type, userId: event.user.id },
          'event not published',
        );
      }
    },
  };
};
