/**
 * Informers against a stub API that answers in every malformed shape found in the wild or by
 * fuzzing: each is rejected (never read as an empty or partial list), counted, logged once with
 * the resource named, retried with backoff; the last complete list stays in the cache meanwhile,
 * and the informer recovers by itself once the API is sane again.
 */
import { describe, expect, test } from 'bun:test';
import { Informer } from '../../agent/kube/informer.ts';
import { type FetchFn, KubeClient, MAX_WATCH_LINE_BYTES } from '../../agent/kube/transport.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';

const endpoint = {
  origin: 'test',
  server: 'https://127.0.0.1:1',
  tls: { rejectUnauthorized: true },
  authHeaders: async () => ({}),
};

const RESOURCE = 'loadbalancerippools';
const pool = (name: string, rv: string) => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'LoadBalancerIPPool',
  metadata: { name, resourceVersion: rv },
  spec: { blocks: [{ cidr: '10.0.0.0/30' }] },
});
const goodList = (items: unknown[], rv = '10') =>
  JSON.stringify({
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPoolList',
    metadata: { resourceVersion: rv },
    items,
  });

/** A body streamed in `chunk`-sized pieces of one reused buffer, up to `total` bytes; counts pulls. */
function endless(byte: number, total: number, prefix = '') {
  const chunk = new Uint8Array(1024 * 1024).fill(byte);
  const state = { pulled: 0, cancelled: false };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent === 0 && prefix) c.enqueue(new TextEncoder().encode(prefix));
      if (sent >= total) return c.close();
      state.pulled++;
      sent += chunk.byteLength;
      c.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

/** A watch that sends `lines` and then stays open until aborted. */
function watchStream(init: RequestInit, lines: string[]): Response {
  return new Response(
    new ReadableStream({
      start(c) {
        for (const l of lines) c.enqueue(new TextEncoder().encode(`${l}\n`));
        init.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
      },
    }),
    { status: 200 },
  );
}

const BOOKMARK = JSON.stringify({
  type: 'BOOKMARK',
  object: { kind: 'LoadBalancerIPPool', metadata: { resourceVersion: '11' } },
});
const EXPIRED = JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });

interface Api {
  /** The list body (a string, or a Response for streamed ones). */
  list: () => string | Response;
  /** Lines of the next watch. */
  watch: () => string[] | Response;
}

function setup(api: Api) {
  const clock = new FakeClock();
  const log = memoryLogger('debug');
  const metrics = new Registry();
  const restarts = metrics.counter('r', 'r', ['resource']);
  const malformed = metrics.counter('m', 'm', ['resource']);
  const calls = { lists: 0, watches: 0 };
  const fetch: FetchFn = async (url, init) => {
    if (url.includes('watch=true')) {
      calls.watches++;
      const w = api.watch();
      return w instanceof Response ? w : watchStream(init, w);
    }
    calls.lists++;
    const l = api.list();
    return l instanceof Response ? l : new Response(l, { status: 200 });
  };
  let changes = 0;
  const inf = new Informer({
    resource: RESOURCE,
    kind: 'LoadBalancerIPPool',
    path: `/apis/edgelb.io/v1alpha1/${RESOURCE}`,
    client: new KubeClient(endpoint, { log, fetch }),
    clock,
    random: () => 0,
    log,
    restarts,
    malformed,
    onChange: () => changes++,
    silenceMs: 60_000,
    backoff: { baseMs: 100, capMs: 800 },
  });
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      clock.advance(10);
      for (let i = 0; i < 20; i++) await Promise.resolve();
      await Bun.sleep(0);
    }
  };
  const warnings = () =>
    log.lines.filter((l) => l.includes('rejected a malformed API response')).map((l) => JSON.parse(l));
  return {
    inf,
    run,
    calls,
    warnings,
    log,
    count: () => malformed.get({ resource: RESOURCE }),
    changes: () => changes,
  };
}

const LIST_SHAPES: [string, () => string | Response, string][] = [
  ['a null item', () => goodList([pool('p1', '5'), null]), 'items[1] is null, not an object'],
  [
    'items not an array',
    () => JSON.stringify({ kind: 'LoadBalancerIPPoolList', metadata: {}, items: { p1: pool('p1', '5') } }),
    'items is an object, not an array',
  ],
  [
    'items missing',
    () => JSON.stringify({ kind: 'LoadBalancerIPPoolList', metadata: {} }),
    'items is missing, not an array',
  ],
  [
    'truncated JSON',
    () => goodList([pool('p1', '5'), pool('p2', '6')]).slice(0, 90),
    'the response is not JSON',
  ],
  [
    'an item of another kind',
    () => goodList([{ ...pool('p1', '5'), kind: 'Service' }]),
    'items[0] is a Service, not a LoadBalancerIPPool',
  ],
  [
    'an item without a name',
    () => goodList([{ kind: 'LoadBalancerIPPool', metadata: {} }]),
    'items[0] has no metadata.name',
  ],
  [
    'a list of another kind',
    () => JSON.stringify({ kind: 'ServiceList', metadata: {}, items: [] }),
    'not a LoadBalancerIPPoolList',
  ],
  [
    'a 100 MB response',
    () => {
      const { stream } = endless(0x20, 100 * 1024 * 1024, '{"items":[');
      return new Response(stream, { status: 200 });
    },
    'list loadbalancerippools.edgelb.io: the response exceeds 64 MiB',
  ],
];

describe('a malformed list', () => {
  for (const [name, body, reason] of LIST_SHAPES) {
    test(`${name}: first list -> stays unsynced, says why, recovers`, async () => {
      let sane = false;
      const t = setup({ list: () => (sane ? goodList([pool('p1', '5')]) : body()), watch: () => [] });
      t.inf.start();
      await t.run(2_000);
      expect(t.inf.synced).toBe(false);
      expect(t.inf.size).toBe(0);
      expect(t.inf.lastError).toContain(`malformed response: list ${RESOURCE}: `);
      expect(t.inf.lastError).toContain(reason);
      expect(t.inf.lastError).toContain('stay unsynced');
      // retried with backoff (100, 200, 400, 800, 800 ms), counted each time, logged once
      expect(t.calls.lists).toBeGreaterThanOrEqual(4);
      expect(t.calls.lists).toBeLessThanOrEqual(6);
      expect(t.count()).toBe(t.calls.lists);
      expect(t.warnings().length).toBe(1);
      expect(t.warnings()[0]).toMatchObject({ resource: RESOURCE, step: 'list' });
      expect(t.log.lines.join('\n')).not.toContain('    at '); // no stack, no source
      sane = true;
      await t.run(1_000);
      expect(t.inf.synced).toBe(true);
      expect(t.inf.lastError).toBe('');
      expect(t.inf.list().map((p) => p.metadata.name)).toEqual(['p1']);
      expect(t.calls.watches).toBe(1);
      t.inf.stop();
    });
  }

  test('after a good list: a malformed relist keeps the last complete list, never empties it', async () => {
    let bad = false;
    let expire = false;
    const t = setup({
      list: () => (bad ? goodList([null]) : goodList([pool('p1', '5'), pool('p2', '6')])),
      watch: () => (expire ? [EXPIRED] : []),
    });
    t.inf.start();
    await t.run(100);
    expect(t.inf.synced).toBe(true);
    const changesBefore = t.changes();
    bad = true;
    expire = true; // lists are malformed from now on; every watch expires at once (410: relist)
    t.inf.stop(); // (ends the open watch; the restart relists as a 410 would)
    t.inf.start();
    await t.run(3_000);
    expect(t.inf.synced).toBe(true);
    expect(t.inf.list().map((p) => p.metadata.name)).toEqual(['p1', 'p2']);
    expect(t.changes()).toBe(changesBefore); // nothing changed for the reconcile loop
    expect(t.inf.lastError).toContain('items[0] is null');
    expect(t.inf.lastError).toContain('the last complete list is kept');
    expect(t.warnings().length).toBe(1);
    bad = false;
    expire = false;
    await t.run(1_000);
    expect(t.inf.lastError).toBe('');
    expect(t.log.lines.some((l) => l.includes('well-formed again'))).toBe(true);
    t.inf.stop();
  });

  test('an item the filter cannot handle rejects the whole list (a bug is not data loss)', async () => {
    const clock = new FakeClock();
    const log = memoryLogger('error');
    let throwing = true;
    const inf = new Informer<{ metadata: { name: string; resourceVersion?: string } }>({
      resource: 'services',
      path: '/api/v1/services',
      client: new KubeClient(endpoint, {
        log,
        fetch: async (url, init) =>
          url.includes('watch=true')
            ? watchStream(init, [])
            : new Response(JSON.stringify({ metadata: {}, items: [{ metadata: { name: 'a' } }] })),
      }),
      clock,
      random: () => 0,
      log,
      restarts: new Registry().counter('r', 'r', ['resource']),
      filter: () => {
        if (throwing) throw new TypeError("Cannot read properties of null (reading 'type')");
        return true;
      },
      backoff: { baseMs: 100, capMs: 800 },
    });
    inf.start();
    for (let i = 0; i < 30; i++) {
      clock.advance(10);
      await Bun.sleep(0);
    }
    expect(inf.synced).toBe(false);
    expect(inf.lastError).toContain('items[0] (/a) could not be read: Cannot read properties of null');
    throwing = false;
    for (let i = 0; i < 100; i++) {
      clock.advance(10);
      await Bun.sleep(0);
    }
    expect(inf.synced).toBe(true);
    expect(inf.size).toBe(1);
    inf.stop();
  });
});

const WATCH_SHAPES: [
  string,
  () => string[] | Response,
  string,
  ((s: { pulled: number; cancelled: boolean }) => void)?,
][] = [
  ['a null object', () => ['{"type":"ADDED","object":null}'], "an ADDED event's object is null"],
  [
    'an unknown type',
    () => [JSON.stringify({ type: 'UPSERT', object: pool('p3', '20') })],
    'unknown type "UPSERT"',
  ],
  ['truncated JSON', () => ['{"type":"ADDED","object":{"metadata":'], 'an event is not JSON'],
  [
    'an object without a name',
    () => [JSON.stringify({ type: 'MODIFIED', object: { kind: 'LoadBalancerIPPool', metadata: {} } })],
    'has no metadata.name',
  ],
];

describe('a malformed watch event', () => {
  const cases = [...WATCH_SHAPES];
  let big: ReturnType<typeof endless>['state'] | undefined;
  cases.push([
    'a 100 MB line (streamed; cut off at 16 MiB)',
    () => {
      const e = endless(0x61, 100 * 1024 * 1024);
      big = e.state;
      return new Response(e.stream, { status: 200 });
    },
    'watch loadbalancerippools.edgelb.io: an event line exceeds 16 MiB',
  ]);
  for (const [name, lines, reason] of cases) {
    test(`${name}: rejected, relisted, the cache kept; recovers`, async () => {
      let bad = true;
      const t = setup({ list: () => goodList([pool('p1', '5')]), watch: () => (bad ? lines() : [BOOKMARK]) });
      t.inf.start();
      await t.run(1_500);
      expect(t.inf.synced).toBe(true);
      expect(t.inf.list().map((p) => p.metadata.name)).toEqual(['p1']);
      expect(t.inf.lastError).toContain(`malformed response: watch ${RESOURCE}: `);
      expect(t.inf.lastError).toContain(reason);
      // each rejected watch relists (an event edgelb could not read may have been any change)
      // with backoff (100, 200, 400, 800 ms...): a good list does not reset it while the
      // watch keeps failing
      expect(t.calls.lists).toBeGreaterThanOrEqual(3);
      expect(t.calls.lists).toBeLessThanOrEqual(6);
      expect(t.count()).toBe(t.calls.watches);
      expect(t.warnings().length).toBe(1);
      if (name.startsWith('a 100 MB')) {
        // streamed and cut off: about 16 of the 100 chunks were read, then the body cancelled
        expect(big!.pulled).toBeLessThanOrEqual(MAX_WATCH_LINE_BYTES / (1024 * 1024) + 2);
        expect(big!.cancelled).toBe(true);
      }
      bad = false;
      await t.run(1_000);
      expect(t.inf.lastError).toBe('');
      expect(t.inf.list().map((p) => p.metadata.name)).toEqual(['p1']);
      t.inf.stop();
    });
  }
});
