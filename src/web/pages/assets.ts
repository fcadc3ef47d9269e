import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatehouseError } from '../../core/shared/errors';
import type { PageAction } from '../page-handler';

/**
 * The pages' one script and one stylesheet, built by esbuild (web/build.mjs) into web/dist at
 * install; on AWS the pages function's bundle carries them (WEB_ASSETS_DIR).
 */
const TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const assetsDir = () =>
  process.env.WEB_ASSETS_DIR ?? fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const cache = new Map<string, string>();

export const assetFile: PageAction = async (request) => {
  const name = request.params.file ?? '';
  const type = TYPES[name];
  if (!type) throw new GatehouseError('not_found', 'There is no such file.');
  let body = cache.get(name);
  if (body === undefined) {
    body = await readFile(join(assetsDir(), name), 'utf8');
    cache.set(name, body);
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': type,
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
};
