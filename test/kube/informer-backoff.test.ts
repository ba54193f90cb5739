/** Informer timing on a FakeClock with an injected fetch: backoff with jitter, capped; silence bound. */
import { describe, expect, test } from 'bun:test';
import { Informer } from '../../agent/kube/informer.ts';
import { type FetchFn, KubeClient } from '../../agent/kube/transport.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';

const endpoint = {
  origin: 'test',
  server: 'https://127.0.0.1:1',
  tls: { rejectUnauthorized: true },
  authHeaders: async () => ({}),
};

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function setup(fetch: FetchFn, random = () => 0) {
  const clock = new FakeClock();
  const log = memoryLogger('error');
  const restarts = new Registry().counter('r', 'r', ['resource']);
  const inf = new Informer({
    resource: 'nodes',
    path: '/api/v1/nodes',
    client: new KubeClient(endpoint, { log, fetch }),
    clock,
    random,
    log,
    restarts,
    silenceMs: 5_000,
    backoff: { baseMs: 100, capMs: 800 },
  });
  return { clock, inf, restarts };
}

describe('Informer timing (FakeClock)', () => {
  test('failed lists back off exponentially with jitter, capped, and never give up', async () => {
    const calls: number[] = [];
    const { clock, inf, restarts } = setup(async () => {
      calls.push(clock.now());
      throw new Error('connect ECONNREFUSED');
    });
    inf.start();
    for (let t = 0; t < 6_000; t += 10) {
      clock.advance(10);
      await flush();
    }
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    // random() = 0 gives the full delay: 100, 200, 400, 800, 800, ...
    expect(gaps.slice(0, 6)).toEqual([100, 200, 400, 800, 800, 800]);
    expect(restarts.get({ resource: 'nodes' })).toBe(calls.length);
    expect(inf.synced).toBe(false);
    expect(inf.lastError).toStartWith('API unreachable: list nodes');
    inf.stop();
  });

  test('jitter shortens delays by up to half', async () => {
    const calls: number[] = [];
    const { clock, inf } = setup(
      async () => {
        calls.push(clock.now());
        throw new Error('boom');
      },
      () => 0.999,
    );
    inf.start();
    for (let t = 0; t < 1_000; t += 10) {
      clock.advance(10);
      await flush();
    }
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    expect(gaps[0]).toBe(50);
    expect(gaps[1]).toBe(100);
    inf.stop();
  });

  test('a watch silent past the bound is aborted and restarted from the last resourceVersion', async () => {
    const urls: string[] = [];
    const { clock, inf, restarts } = setup(async (url, init) => {
      urls.push(url);
      if (!url.includes('watch=true')) {
        return new Response(JSON.stringify({ metadata: { resourceVersion: '7' }, items: [] }), {
          status: 200,
        });
      }
      // a watch that never sends anything until aborted
      return new Response(
        new ReadableStream({
          start(c) {
            init.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
          },
        }),
        { status: 200 },
      );
    });
    inf.start();
    clock.advance(0);
    await flush();
    clock.advance(0);
    await flush();
    expect(inf.synced).toBe(true);
    expect(urls.filter((u) => u.includes('watch=true')).length).toBe(1);
    clock.advance(4_999);
    await flush();
    expect(restarts.get({ resource: 'nodes' })).toBe(0);
    clock.advance(1);
    await flush();
    expect(restarts.get({ resource: 'nodes' })).toBe(1);
    expect(inf.lastError).toContain('no event for 5000 ms');
    clock.advance(100);
    await flush();
    const watches = urls.filter((u) => u.includes('watch=true'));
    expect(watches.length).toBe(2);
    expect(watches[1]).toContain('resourceVersion=7');
    expect(watches[1]).toContain('allowWatchBookmarks=true');
    inf.stop();
  });

  test('a 410 relists after the base delay, whatever the failures before it; a good list resets the backoff', async () => {
    const calls: { t: number; watch: boolean }[] = [];
    let watches = 0;
    const status = (code: number) =>
      new Response(JSON.stringify({ kind: 'Status', code, message: `status ${code}` }), { status: code });
    const { clock, inf } = setup(async (url, init) => {
      const watch = url.includes('watch=true');
      calls.push({ t: clock.now(), watch });
      if (!watch)
        return new Response(JSON.stringify({ metadata: { resourceVersion: '7' }, items: [] }), {
          status: 200,
        });
      watches++;
      if (watches <= 4) return status(500); // backoff 100, 200, 400, 800 (capped)
      if (watches === 5) return status(410);
      if (watches === 6) return status(500); // after the good relist: back to the base delay
      return new Response(
        new ReadableStream({
          start(c) {
            init.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
          },
        }),
        { status: 200 },
      );
    });
    inf.start();
    for (let t = 0; t < 3_000; t += 10) {
      clock.advance(10);
      await flush();
    }
    const gaps = calls.slice(1).map((c, i) => `${c.watch ? 'watch' : 'list'} +${c.t - calls[i]!.t}`);
    expect(gaps.slice(0, 8)).toEqual([
      'watch +10', // after the first list (a 0 ms timer fires on the next 10 ms step)
      'watch +100',
      'watch +200',
      'watch +400',
      'watch +800', // the fifth watch: 410
      'list +100', // the base delay, not the capped 800
      'watch +10',
      'watch +100', // the 500 after a good list starts the backoff over
    ]);
    inf.stop();
  });
});
