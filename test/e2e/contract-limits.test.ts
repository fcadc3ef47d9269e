import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * Contract misses of finding 9, over HTTP: a body far past 64 KiB, plain or chunked, is a 413
 * the client can read (not a reset connection); an edited cursor is a 400 on every listing.
 */
const OWNER = { email: 'owner@limits.test', password: 'limits owner passphrase' };
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});

/** POSTs `size` bytes with node:http, plain (Content-Length) or chunked, and reads the answer. */
const postLarge = (path: string, size: number, chunked: boolean) =>
  new Promise<{ status: number; body: unknown }>((done, fail) => {
    const { port } = new URL(stack().url);
    const sending = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          'content-type': path.startsWith('/oauth/')
            ? 'application/x-www-form-urlencoded'
            : 'application/json',
          ...(chunked ? {} : { 'content-length': String(size) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          done({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
        response.on('error', fail);
      },
    );
    sending.on('error', fail);
    const piece = Buffer.alloc(16 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const part = piece.subarray(0, Math.min(piece.length, size - sent));
        sent += part.length;
        if (!sending.write(part)) {
          sending.once('drain', pump);
          return;
        }
      }
      sending.end();
    };
    pump();
  });

const MiB = 1024 * 1024;

describe('a body far past 64 KiB', () => {
  describe.each([
    ['plain', false],
    ['chunked', true],
  ])('%s', (_kind, chunked) => {
    it.each([MiB, MiB + 1, 2 * MiB])(
      'of %i bytes is a readable 413 in the contract shape',
      async (size) => {
        const answer = await postLarge('/auth/sign-in', size, chunked);
        expect(answer).toEqual({
          status: 413,
          body: { error: { code: 'payload_too_large', message: expect.any(String) } },
        });
      },
    );

    it.each([MiB, 2 * MiB])(
      'of %i bytes under /oauth/ is a readable 413 in RFC 6749 form',
      async (size) => {
        const answer = await postLarge('/oauth/token', size, chunked);
        expect(answer).toEqual({
          status: 413,
          body: { error: 'invalid_request', error_description: expect.any(String) },
        });
      },
    );
  });
});

describe('cursors', () => {
  let token: string;
  beforeAll(async () => {
    token = await signIn(OWNER.email, OWNER.password);
    for (const i of [1, 2]) {
      const user = await call('POST', '/users', {
        token,
        json: { email: `member-${i}@limits.test`, role: 'viewer', type: 'human' },
      });
      expect(user.status, user.text).toBe(201);
      const apiToken = await call('POST', '/tokens', { token, json: { name: `t${i}` } });
      expect(apiToken.status, apiToken.text).toBe(201);
      const client = await call('POST', '/clients', {
        token,
        json: { name: `c${i}`, grant_types: ['client_credentials'], confidential: true },
      });
      expect(client.status, client.text).toBe(201);
    }
  });

  /** The cursor with one character of its payload changed (never a same-bytes spelling). */
  const flipped = (cursor: string) => {
    const i = Math.floor(cursor.indexOf('.') / 2);
    return cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1);
  };

  it.each(['/users', '/tokens', '/audit', '/clients'])(
    '%s refuses a cursor with one character changed',
    async (path) => {
      const first = await call('GET', `${path}?limit=1`, { token });
      expect(first.status, first.text).toBe(200);
      const cursor = first.body.next_cursor as string;
      expect(cursor).toEqual(expect.any(String));
      const second = await call('GET', `${path}?limit=1&cursor=${cursor}`, { token });
      expect(second.status, `${cursor} ${second.text}`).toBe(200);
      const edited = await call('GET', `${path}?limit=1&cursor=${flipped(cursor)}`, { token });
      expect(edited.status, edited.text).toBe(400);
      expect(edited.body.error.code).toBe('record_invalid');
    },
  );
});
