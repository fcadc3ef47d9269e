import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ErrorCode, GatehouseError } from '../core/shared/errors';
import { errorStatus } from './error-status';

export type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

// Answers may carry tokens or personal data: nothing is cached unless a route says so.
const baseHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode,
  headers: { ...baseHeaders, 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const noContent = (): HttpResult => ({ statusCode: 204, headers: { ...baseHeaders } });

export const errorResult = (
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): HttpResult => json(errorStatus[code], { error: { code, message } }, headers);

export const fromGatehouseError = (error: GatehouseError): HttpResult =>
  errorResult(
    error.code,
    error.message,
    error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) },
  );
