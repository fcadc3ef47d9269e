import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';

/** An HTTP API (payload 2.0) request, with the Lambda authorizer's context when it ran. */
export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, unknown>>;

export const header = (event: HttpEvent, name: string): string | undefined =>
  event.headers?.[name] ?? undefined;
