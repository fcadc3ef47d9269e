import { describe, expect, it } from 'vitest';
import { requestContext } from '../../../../src/http/middleware/request-context';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

describe('requestContext', () => {
  it('reads the caller’s address, user agent and cookies; the first cookie of a name wins', async () => {
    const event = httpEvent('GET /me', { cookies: ['a=1', 'b = 2 ', 'a=3', 'broken', '=x'] });
    const { internal } = await run(requestContext().before, pipelineRequest(event));
    expect(internal.meta).toEqual({ ip: '203.0.113.7', userAgent: 'test-agent' });
    expect(internal.cookies).toEqual({ a: '1', b: '2' });
  });

  it('records an absent address or agent as null, and no cookies as an empty jar', async () => {
    const event = httpEvent('GET /me');
    event.requestContext.http.sourceIp = '';
    event.requestContext.http.userAgent = '';
    const { internal } = await run(requestContext().before, pipelineRequest(event));
    expect(internal.meta).toEqual({ ip: null, userAgent: null });
    expect(internal.cookies).toEqual({});
  });
});
