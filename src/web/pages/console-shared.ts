import { sessionGrants } from '../../core/sessions/mfa-policy';
import { GatehouseError, isGatehouseError } from '../../core/shared/errors';
import type { Actor } from '../../core/users/user-policy';
import { errorStatus } from '../../http/error-status';
import type { HttpResult } from '../../http/responses';
import { html } from '../html';
import type { PageAction, PageRequest } from '../page-handler';
import { currentPath, signInRedirect } from './auth';

export type ConsoleActor = Extract<Actor, { kind: 'user' }>;

/**
 * A console action: strangers go to sign in (and come back to `returnTo`, by default this
 * page), and the caller's role must grant `scope`. The role ceiling is the core's to enforce.
 */
export const consoleAction =
  (
    scope: string,
    run: (request: PageRequest, actor: ConsoleActor) => Promise<HttpResult>,
    returnTo?: (request: PageRequest) => string,
  ): PageAction =>
  async (request) => {
    if (!request.signedIn) {
      return signInRedirect(request.deps, returnTo ? returnTo(request) : currentPath(request));
    }
    const { user, session } = request.signedIn;
    if (!sessionGrants(request.deps, user, session).includes(scope)) {
      throw new GatehouseError(
        'forbidden',
        `This page needs the ${scope} permission, which the ${user.role} role does not have.`,
      );
    }
    return run(request, { kind: 'user', user, tokenId: null });
  };

/** A link to `path` carrying only the parameters that have a value (filters, cursor). */
export const queryPath = (path: string, params: Record<string, string | undefined>): string => {
  const query = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1])),
  ).toString();
  return query ? `${path}?${query}` : path;
};

/** Links to a listing's first page (when past it) and next page (when there is one). */
export const pager = (
  path: string,
  filters: Record<string, string | undefined>,
  cursor: string | undefined,
  next: string | undefined,
) =>
  cursor || next
    ? html`<nav aria-label="Pages"><p>${cursor ? html`<a href="${queryPath(path, filters)}">First page</a> ` : ''}${
        next ? html`<a href="${queryPath(path, { ...filters, cursor: next })}">Next page</a>` : ''
      }</p></nav>`
    : '';

/**
 * A machine-readable time, one line in UTC with the exact UTC time on hover; the page script
 * (web/src/local-times.ts) rewrites the text into the viewer's zone. `fallback` when none.
 */
export const timeTag = (iso: string | null, fallback = 'Never') =>
  iso
    ? html`<time datetime="${iso}" title="${iso.slice(0, 19).replace('T', ' ')} UTC">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`
    : fallback;

/** A GatehouseError a form answers next to itself; anything else goes to the error page. */
export const formError = (error: unknown, codes: readonly string[]) =>
  isGatehouseError(error) && codes.includes(error.code)
    ? { message: error.message, status: errorStatus[error.code] as number }
    : null;
