import { describe, expect, it, vi } from 'vitest';
import { coreDeps } from '../../../../src/http/middleware/core-deps';
import { testDeps } from '../../../support/core-deps';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

describe('coreDeps', () => {
  it('hands the composition root’s dependencies on', async () => {
    const deps = testDeps();
    const { internal } = await run(
      coreDeps({ deps: () => deps }).before,
      pipelineRequest(httpEvent('GET /me')),
    );
    expect(internal.deps).toBe(deps);
  });

  it('runs the cold-start work once, and again after it failed', async () => {
    const deps = testDeps();
    const onColdStart = vi
      .fn<() => Promise<void>>()
      .mockRejectedValueOnce(new Error('keys not ready'))
      .mockResolvedValue(undefined);
    const middleware = coreDeps({ deps: () => deps, onColdStart });
    const request = () => pipelineRequest(httpEvent('GET /me'));
    await expect(run(middleware.before, request())).rejects.toThrow('keys not ready');
    await run(middleware.before, request());
    await run(middleware.before, request());
    expect(onColdStart).toHaveBeenCalledTimes(2);
  });
});
