import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../../src/http/logger';
import { requestLog } from '../../../../src/http/middleware/request-log';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

describe('requestLog', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one line per request: route, status, ms, requestId, and nothing of the request', async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
    const log = requestLog();
    const request = pipelineRequest(
      httpEvent('POST /auth/sign-in', {
        body: '{"password":"hunter2"}',
        headers: { authorization: 'Bearer secret' },
        rawQueryString: 'q=secret',
      }),
    );
    await run(log.before, request);
    request.response = { statusCode: 200, headers: {} };
    await run(log.after, request);
    expect(info).toHaveBeenCalledTimes(1);
    const line = info.mock.calls[0]?.[0] as unknown as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual(['ms', 'requestId', 'route', 'status']);
    expect(line).toMatchObject({ route: 'POST /auth/sign-in', status: 200, requestId: 'r1' });
    expect(JSON.stringify(line)).not.toMatch(/secret|hunter2/);
  });

  it('logs a failed request too, with the status the error middleware answered', async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => {});
    const log = requestLog();
    const request = pipelineRequest(httpEvent('GET /me'));
    await run(log.before, request);
    request.response = { statusCode: 401, headers: {} };
    await run(log.onError, request);
    expect(info.mock.calls[0]?.[0]).toMatchObject({ route: 'GET /me', status: 401 });
  });
});
