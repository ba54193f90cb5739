/**
 * The transport's bounds and line splitting: a response or a watch line over its bound is cut
 * off (the body cancelled, nothing more read) with an error naming the request; a body that is
 * not JSON is a KubeResponseError; watch lines split on newline bytes wherever the chunks break,
 * multi-byte characters included.
 */
import { describe, expect, test } from 'bun:test';
import {
  type FetchFn,
  KubeClient,
  KubeResponseError,
  MAX_RESPONSE_BYTES,
  MAX_WATCH_LINE_BYTES,
} from '../../agent/kube/transport.ts';
import { memoryLogger } from '../../agent/lib/log.ts';

const endpoint = {
  origin: 'test',
  server: 'https://127.0.0.1:1',
  tls: { rejectUnauthorized: true },
  authHeaders: async () => ({}),
};

function chunked(chunks: Uint8Array[]): Response {
  let i = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(c) {
        if (i < chunks.length) c.enqueue(chunks[i++]!);
        else c.close();
      },
    }),
    { status: 200 },
  );
}

function client(fetch: FetchFn, o: { maxResponseBytes?: number; maxWatchLineBytes?: number } = {}) {
  return new KubeClient(endpoint, { log: memoryLogger('error'), fetch, ...o });
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('bounds', () => {
  test('the documented defaults', () => {
    expect(MAX_RESPONSE_BYTES).toBe(64 * 1024 * 1024);
    expect(MAX_WATCH_LINE_BYTES).toBe(16 * 1024 * 1024);
  });

  test('a response one byte over the bound is refused, one at the bound is read', async () => {
    const body = (n: number) => `"${'x'.repeat(n - 2)}"`;
    const c = (n: number) =>
      client(async () => chunked([new TextEncoder().encode(body(n))]), { maxResponseBytes: 1000 });
    expect(await c(1000).request('GET', '/api/v1/nodes')).toBe('x'.repeat(998));
    const err = await caught(c(1001).request('GET', '/api/v1/nodes'));
    expect(err).toBeInstanceOf(KubeResponseError);
    expect((err as KubeResponseError).code).toBe('too-large');
    expect((err as Error).message).toBe('list nodes: the response exceeds 1000 bytes');
  });

  test('a body that is not JSON names the request', async () => {
    const err = await caught(
      client(async () => new Response('{"items":[', { status: 200 })).request(
        'GET',
        '/apis/edgelb.io/v1alpha1/loadbalancerippools',
      ),
    );
    expect((err as KubeResponseError).code).toBe('malformed');
    expect((err as Error).message).toStartWith(
      'list loadbalancerippools.edgelb.io: the response is not JSON',
    );
  });

  test('a watch line over the bound is cut off and the body cancelled', async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(100).fill(0x61);
    const fetch: FetchFn = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            pulled++;
            c.enqueue(chunk);
          },
          cancel() {
            cancelled = true;
          },
        }),
        { status: 200 },
      );
    const events: unknown[] = [];
    const err = await caught(
      client(fetch, { maxWatchLineBytes: 1000 }).watch(
        '/api/v1/services',
        {},
        (e) => events.push(e),
        new AbortController().signal,
      ),
    );
    expect((err as Error).message).toBe('watch services: an event line exceeds 1000 bytes');
    expect(pulled).toBeLessThanOrEqual(12);
    expect(cancelled).toBe(true);
    expect(events).toEqual([]);
  });
});

describe('watch line splitting', () => {
  test('events arrive whole wherever the chunks break (multi-byte characters too)', async () => {
    const events = [
      { type: 'ADDED', object: { metadata: { name: 'café-ü', resourceVersion: '1' } } },
      { type: 'MODIFIED', object: { metadata: { name: '日本', resourceVersion: '2' } } },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '3' } } },
    ];
    const bytes = new TextEncoder().encode(`${events.map((e) => JSON.stringify(e)).join('\n')}\n\n`);
    for (let a = 0; a <= bytes.length; a += 3) {
      for (const b of [a, Math.min(bytes.length, a + 1), Math.min(bytes.length, a + 7)]) {
        const got: unknown[] = [];
        const parts = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)].filter(
          (p) => p.length > 0,
        );
        await client(async () => chunked(parts)).watch(
          '/api/v1/services',
          {},
          (e) => got.push(e),
          new AbortController().signal,
        );
        expect(got).toEqual(events);
      }
    }
  });

  test('a last line without a newline is delivered', async () => {
    const got: unknown[] = [];
    const line = new TextEncoder().encode(
      JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'x' } } }),
    );
    await client(async () => chunked([line])).watch(
      '/api/v1/services',
      {},
      (e) => got.push(e),
      new AbortController().signal,
    );
    expect(got).toEqual([{ type: 'DELETED', object: { metadata: { name: 'x' } } }]);
  });
});
