import { describe, expect, it } from 'vitest';
import { pageForm } from '../../../../src/web/middleware/page-form';
import type { PageState } from '../../../../src/web/middleware/page-state';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

const request = (key: string, body: string | undefined, isBase64Encoded = false) =>
  pipelineRequest<PageState>(httpEvent(key, { body, isBase64Encoded }));

describe('pageForm', () => {
  it('parses a POSTed form, plain or base64', async () => {
    const plain = await run(pageForm().before, request('POST /sign-in', 'login=ada&csrf=x'));
    expect(plain.internal.form?.get('login')).toBe('ada');
    const encoded = Buffer.from('login=bob').toString('base64');
    const base64 = await run(pageForm().before, request('POST /sign-in', encoded, true));
    expect(base64.internal.form?.get('login')).toBe('bob');
  });

  it('gives a GET an empty form, whatever its body', async () => {
    const { internal } = await run(pageForm().before, request('GET /sign-in', 'login=ada'));
    expect([...(internal.form ?? [])]).toEqual([]);
  });

  it('refuses a body over 64 KiB with 413, on any page', async () => {
    await expect(
      run(pageForm().before, request('GET /nowhere', 'x'.repeat(64 * 1024 + 1))),
    ).rejects.toMatchObject({ code: 'payload_too_large' });
  });
});
