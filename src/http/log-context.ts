import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';

/** What every log line of one invocation carries (Powertools Logger's field names). */
export interface InvocationFields {
  function_name: string;
  function_request_id: string;
  cold_start: boolean;
  /** API Gateway's id of the request: set by the gateway, so trusted. */
  api_request_id?: string;
  /** The caller's id for the request when well formed, else API Gateway's: a label only. */
  correlation_id?: string;
  xray_trace_id?: string;
}

/** The part of an API Gateway event (HTTP API or authorizer) the fields are read from. */
interface GatewayEvent {
  headers?: Record<string, string | undefined> | null;
  requestContext?: { requestId?: string };
}

// Per invocation, not per process: the local server serves requests concurrently.
const current = new AsyncLocalStorage<InvocationFields>();

export const invocationFields = (): InvocationFields | undefined => current.getStore();

// A caller-chosen label: bounded and plain, so it cannot bloat or forge a log line.
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const callerCorrelationId = (headers: GatewayEvent['headers']): string | undefined => {
  for (const name of ['x-correlation-id', 'x-request-id']) {
    const value = headers?.[name];
    if (value && CORRELATION_ID.test(value)) return value;
  }
  return undefined;
};

/**
 * Runs one function's invocations each with its log fields; `cold_start` is true on the first
 * one this wrapper (one per Lambda process) serves.
 */
export const withInvocationLog = <E extends GatewayEvent, R>(
  handler: (event: E, context: Context) => Promise<R>,
) => {
  let cold = true;
  return (event: E, context: Context): Promise<R> => {
    const apiRequestId = event.requestContext?.requestId;
    const correlationId = callerCorrelationId(event.headers) ?? apiRequestId;
    const traceId = process.env._X_AMZN_TRACE_ID;
    const fields: InvocationFields = {
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
      cold_start: cold,
      ...(apiRequestId ? { api_request_id: apiRequestId } : {}),
      ...(correlationId ? { correlation_id: correlationId } : {}),
      ...(traceId ? { xray_trace_id: traceId } : {}),
    };
    cold = false;
    return current.run(fields, () => handler(event, context));
  };
};
