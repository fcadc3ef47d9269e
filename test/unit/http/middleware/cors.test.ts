import { describe, expect, it } from 'vitest';
import { cors } from '../../../../src/http/middleware/cors';
import type { HttpResult } from '../../../../src/http/responses';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

const SPA = 'https://spa.example.com';

const answered = (origin: string | undefined, shared: string[] | undefined, status = 200) => {
  const request = pipelineRequest(
    httpEvent('POST /oauth/token', { headers: origin ? { origin } : {} }),
    shared ? { corsOrigins: shared } : {},
  );
  request.response = { statusCode: status, headers: { 'cache-control': 'no-store' } };
  return request;
};

const headersOf = (request: { response: HttpResult | null }) => request.response?.headers;

describe('cors', () => {
  it('lets a shared origin read the answer', async () => {
    const request = await run(cors().after, answered(SPA, [SPA]));
    expect(headersOf(request)).toEqual({
      'cache-control': 'no-store',
      'access-control-allow-origin': SPA,
      vary: 'Origin',
    });
  });

  it('lets it read a refusal too', async () => {
    const request = await run(cors().onError, answered(SPA, [SPA], 400));
    expect(headersOf(request)?.['access-control-allow-origin']).toBe(SPA);
  });

  it('adds nothing for another origin, no origin, an answer nobody shared, or a server error', async () => {
    for (const request of [
      answered('https://evil.example.com', [SPA]),
      answered(undefined, [SPA]),
      answered(SPA, undefined),
      answered(SPA, [SPA], 500),
    ]) {
      await run(cors().after, request);
      expect(headersOf(request)).toEqual({ 'cache-control': 'no-store' });
    }
  });
});
