import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../src/http/logger';
import { Redirect, seeOther } from '../../../src/web/page-handler';
import { pageActions } from '../../../src/web/pages';
import { createPagesHandler } from '../../../src/web/pages-handler';
import { testDeps } from '../../support/core-deps';
import { httpEvent } from '../../support/pipeline';

const context = {} as Context;

describe('createPagesHandler', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses a set of actions that misses a page', () => {
    expect(() => createPagesHandler({})).toThrow(/no action for GET \/sign-in/);
  });

  it('answers an unknown page with an HTML 404, the CSRF cookie and one log line', async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
    const handler = createPagesHandler(pageActions, { deps: () => testDeps() });
    const result = await handler(httpEvent('GET /nowhere'), context);
    expect(result.statusCode).toBe(404);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.cookies?.[0]).toMatch(/^gatehouse_csrf=[\w-]{43}; Path=\/; HttpOnly/);
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0]?.[0]).toMatchObject({ route: 'GET /nowhere', status: 404 });
  });

  it('refuses a form without its CSRF token', async () => {
    const handler = createPagesHandler(pageActions, { deps: () => testDeps() });
    const result = await handler(httpEvent('POST /sign-in', { body: 'login=a' }), context);
    expect(result.statusCode).toBe(403);
  });

  it('answers a page’s redirect, with the cookies asked for', async () => {
    const actions = {
      ...pageActions,
      'GET /console': async () => {
        throw new Redirect(seeOther('/sign-in'));
      },
    };
    const handler = createPagesHandler(actions, { deps: () => testDeps() });
    const result = await handler(httpEvent('GET /console'), context);
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toBe('/sign-in');
    expect(result.cookies).toHaveLength(1);
  });
});
