import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { type ExampleRoute, exampleRouteKey, exampleRoutes } from './routes';

/**
 * The example protected API: what another team writes behind Gatehouse's authorizer. The
 * authorizer has already checked the token and the route's scopes; the handler only reads who
 * is calling from the authorizer's context and applies its own ownership rule.
 *
 * Its data lives in the function's memory: it is an example of scopes, not of storage.
 */
export type ExampleEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;

export interface ExampleResult {
  statusCode: number;
  headers: Record<string, string>;
  body?: string;
}

interface TrainingSession {
  session_id: string;
  name: string;
  owner_id: string;
  status: 'created' | 'running' | 'cancelled';
  created_at: string;
}

interface Caller {
  userId: string;
  scopes: Set<string>;
}

const answer = (statusCode: number, body?: unknown): ExampleResult => ({
  statusCode,
  headers: {
    'cache-control': 'no-store',
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

const failure = (statusCode: number, code: string, message: string) =>
  answer(statusCode, { error: { code, message } });

const callerOf = (event: ExampleEvent): Caller | null => {
  const context = event.requestContext.authorizer?.lambda ?? {};
  const text = (key: string) => (typeof context[key] === 'string' ? (context[key] as string) : '');
  if (!text('sub')) return null;
  return { userId: text('sub'), scopes: new Set(text('scope').split(' ').filter(Boolean)) };
};

const readName = (event: ExampleEvent): string | null => {
  try {
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    const parsed: unknown = JSON.parse(raw || '{}');
    const name = (parsed as { name?: unknown }).name;
    return typeof name === 'string' && name.trim() && name.length <= 100 ? name.trim() : null;
  } catch {
    return null;
  }
};

type Step = (event: ExampleEvent, caller: Caller) => ExampleResult;

export const createExampleApi = () => {
  const sessions = new Map<string, TrainingSession>();

  /** Yours, or anyone's with read_all_session; otherwise it does not exist for you. */
  const visibleSession = (event: ExampleEvent, caller: Caller): TrainingSession | null => {
    const session = sessions.get(event.pathParameters?.session_id ?? '');
    if (!session) return null;
    const mine = session.owner_id === caller.userId;
    return mine || caller.scopes.has('read_all_session') ? session : null;
  };
  /** Changes are for the owner only. */
  const ownSession = (event: ExampleEvent, caller: Caller) => {
    const session = visibleSession(event, caller);
    return session && session.owner_id === caller.userId ? session : null;
  };
  const notFound = () => failure(404, 'not_found', 'No such session.');

  const steps: Record<string, Step> = {
    'POST /sessions': (event, caller) => {
      const name = readName(event);
      if (!name) return failure(400, 'record_invalid', 'name: a string of 1 to 100 characters.');
      const session: TrainingSession = {
        session_id: randomUUID(),
        name,
        owner_id: caller.userId,
        status: 'created',
        created_at: new Date().toISOString(),
      };
      sessions.set(session.session_id, session);
      return answer(201, { session });
    },
    'GET /sessions': (_event, caller) =>
      answer(200, {
        sessions: [...sessions.values()].filter((s) => s.owner_id === caller.userId),
      }),
    'GET /workspace/sessions': () => answer(200, { sessions: [...sessions.values()] }),
    'GET /sessions/{session_id}': (event, caller) => {
      const session = visibleSession(event, caller);
      return session ? answer(200, { session }) : notFound();
    },
    'POST /sessions/{session_id}/start': (event, caller) => {
      const session = ownSession(event, caller);
      if (!session) return notFound();
      session.status = 'running';
      return answer(200, { session });
    },
    'POST /sessions/{session_id}/cancel': (event, caller) => {
      const session = ownSession(event, caller);
      if (!session) return notFound();
      session.status = 'cancelled';
      return answer(200, { session });
    },
    'DELETE /sessions/{session_id}': (event, caller) => {
      const session = ownSession(event, caller);
      if (!session) return notFound();
      sessions.delete(session.session_id);
      return answer(204);
    },
    'POST /models': (event) => {
      const name = readName(event);
      if (!name) return failure(400, 'record_invalid', 'name: a string of 1 to 100 characters.');
      return answer(201, { model: { model_id: randomUUID(), name } });
    },
    'GET /models/{model_id}/download': (event) =>
      answer(200, { model_id: event.pathParameters?.model_id, url: null, bytes: 0 }),
  };

  const byKey = new Map<string, ExampleRoute>(exampleRoutes.map((r) => [exampleRouteKey(r), r]));

  return async (event: ExampleEvent): Promise<ExampleResult> => {
    const route = byKey.get(event.routeKey);
    const step = steps[event.routeKey];
    if (!route || !step) return failure(404, 'not_found', 'No such route.');
    const caller = callerOf(event);
    // The authorizer stands in front; without it nothing here is served.
    if (!caller) return failure(401, 'token_invalid', 'Authentication is required.');
    // Defence in depth: the authorizer checked the route's scopes already.
    if (!route.scopes.every((scope) => caller.scopes.has(scope))) {
      return failure(403, 'forbidden', `This needs the ${route.scopes.join(' ')} scope.`);
    }
    return step(event, caller);
  };
};
