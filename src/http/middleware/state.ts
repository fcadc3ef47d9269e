import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { RequestMeta } from '../../core/audit/audit';
import type { CoreDeps } from '../../core/shared/deps';
import type { HttpEvent } from '../http-event';
import type { Principal } from '../principal';
import type { HttpResult } from '../responses';
import type { Route } from '../routes';

/** What the middlewares learn about one request, in the order they run. */
export interface PipelineState extends Record<string, unknown> {
  deps?: CoreDeps;
  meta?: RequestMeta;
  cookies?: Record<string, string>;
  route?: Route;
  principal?: Principal | null;
  body?: unknown;
  query?: unknown;
  /** Origins an action let read its answer (the CORS middleware adds the headers). */
  corsOrigins?: string[];
}

export type PipelineRequest<S extends PipelineState = PipelineState> = middy.Request<
  HttpEvent,
  HttpResult,
  Error,
  Context,
  S
>;

export type PipelineMiddleware<S extends PipelineState = PipelineState> = middy.MiddlewareObj<
  HttpEvent,
  HttpResult,
  Error,
  Context,
  S
>;

/** A value an earlier middleware must have set: a missing one is a wiring mistake. */
export const needs = <S extends PipelineState, K extends keyof S>(
  request: PipelineRequest<S>,
  key: K,
): NonNullable<S[K]> => {
  const value = request.internal[key];
  if (value === undefined || value === null) {
    throw new Error(`pipeline: ${String(key)} is not set (a middleware is missing or misordered)`);
  }
  return value as NonNullable<S[K]>;
};
