import { GatehouseError } from '../../core/shared/errors';
import { MAX_BODY_BYTES } from '../../http/request-body';
import type { PageMiddleware } from './page-state';

/** The form's text; over the JSON API's limit (64 KiB) it is 413, before any parsing. */
const bodyText = (body: string | undefined, isBase64Encoded: boolean) => {
  if (!body) return '';
  const bytes = Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new GatehouseError('payload_too_large', `The form is over ${MAX_BODY_BYTES / 1024} KiB.`);
  }
  return bytes.toString();
};

/** Every body is measured first, whatever the page (contract: over 64 KiB is 413). */
export const pageForm = (): PageMiddleware => ({
  before: async ({ event, internal }) => {
    const text = bodyText(event.body, event.isBase64Encoded);
    const post = event.requestContext.http.method.toUpperCase() === 'POST';
    internal.form = new URLSearchParams(post ? text : '');
  },
});
