/**
 * The leader against an API server whose pools answers turn malformed (a null item, items not an
 * array, truncated JSON, a 100 MB watch line): no Service loses its IP meanwhile, /readyz names
 * the resource and the reason, and everything recovers once the API is sane again. Also: a
 * source whose first pools list is malformed never syncs, so the leader allocates nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { defaultConfig } from '../../agent/config/schema.ts';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { customResourceDefinitions } from '../../agent/kube/manifests.ts';
import type { FetchFn } from '../../agent/kube/transport.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { notReadyReasons } from '../../agent/reconcile/status.ts';
import { KubernetesSource } from '../../agent/source/kubernetes.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { waitFor } from '../support/proc.ts';

const POOLS = '/apis/edgelb.io/v1alpha1/loadbalancerippools';

type Shape = 'sane' | 'null-item' | 'items-object' | 'truncated' | 'big-line';
let shape: Shape = 'sane';
let bigPulls = 0;
let bigWatches = 0;

/** Real requests to the test server; pools answers reshaped while `shape` says so. */
const fetchThrough: FetchFn = async (url, init) => {
  const res = await fetch(url, init as RequestInit);
  if (shape === 'sane' || !new URL(url).pathname.endsWith(POOLS) || res.status !== 200) return res;
  const watch = url.includes('watch=true');
  if (shape === 'big-line') {
    if (!watch) return res;
    // The real watch is discarded: a reset while discarding it is expected, not an error.
    res.body?.cancel().catch(() => {});
    bigWatches++;
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    let sent = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent++ >= 100) return c.close(); // 100 MB, one line, streamed
          bigPulls++;
          c.enqueue(chunk);
        },
      }),
      { status: 200 },
    );
  }
  if (watch) {
    // the watch expires at once (410): the informer relists, and meets the malformed list
    // The real watch is discarded: a reset while discarding it is expected, not an error.
    res.body?.cancel().catch(() => {});
    const expired = JSON.stringify({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
    return new Response(`${expired}\n`, { status: 200 });
  }
  const list = (await res.json()) as { items: unknown[] };
  const text =
    shape === 'null-item'
      ? JSON.stringify({ ...list, items: [...list.items, null] })
      : shape === 'items-object'
        ? JSON.stringify({ ...list, items: Object.fromEntries(list.items.map((x, i) => [i, x])) })
        : JSON.stringify(list).slice(0, 40);
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
};

const until = <T>(what: string, f: () => T | undefined | false, ms = 8_000): Promise<T> =>
  waitFor(what, f, { timeoutMs: ms, intervalMs: 20 });

function agent(server: TestApiServer, metrics = new Registry()) {
  const log = memoryLogger('error');
  const source = new KubernetesSource({
    config: defaultConfig().kubernetes,
    nodeName: 'worker',
    clock: systemClock,
    random: Math.random,
    log,
    metrics,
    endpoint: loadKubeconfig({ path: server.kubeconfigCert }),
    fetch: fetchThrough,
    informer: { silenceMs: 3_000, backoff: { baseMs: 50, capMs: 300 }, requestTimeoutMs: 2_000 },
    leaderElectionMs: { leaseDurationMs: 2_000, renewDeadlineMs: 1_000, retryPeriodMs: 200 },
  });
  const reconciler = new Reconciler({
    source,
    speaker: () => undefined,
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock: systemClock,
    log,
    metrics,
  });
  const reasons = () =>
    notReadyReasons({
      node: 'worker',
      version: 'test',
      routerId: () => '',
      source,
      reconciler,
      speaker: () => undefined,
    });
  return { source, reconciler, reasons, metrics };
}

let server: TestApiServer;
const ip = () =>
  (server.get('v1', 'Service', 'default', 'web')?.status?.loadBalancer?.ingress ?? [])
    .map((i: { ip: string }) => i.ip)
    .join(',');

beforeAll(async () => {
  server = await startApiServer({ bookmarkIntervalMs: 300 });
  for (const crd of customResourceDefinitions()) server.create(crd);
  server.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker' } });
  server.create({
    apiVersion: 'edgelb.io/v1alpha1',
    kind: 'LoadBalancerIPPool',
    metadata: { name: 'pool' },
    spec: { blocks: [{ cidr: '172.198.1.0/30' }] },
  });
  server.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  });
});
const stopLater: ReturnType<typeof agent>[] = [];
afterAll(async () => {
  shape = 'sane';
  for (const a of stopLater) {
    a.reconciler.stop();
    await a.source.stop();
  }
  await server?.stop();
});

describe('a leader reading malformed pools answers', () => {
  test('keeps every IP, says why in /readyz, recovers', async () => {
    const a = agent(server);
    stopLater.push(a);
    await a.source.start(() => a.reconciler.trigger());
    const allocated = await until('an IP', () => ip() || undefined);
    expect(a.source.elector.isLeader()).toBe(true);
    for (const s of ['null-item', 'items-object', 'truncated', 'big-line'] as const) {
      shape = s;
      server.faults.dropWatches(); // the pools informer re-watches, and meets the new shape
      const expected = {
        'null-item': 'list loadbalancerippools: items[1] is null, not an object',
        'items-object': 'list loadbalancerippools: items is an object, not an array',
        truncated: 'list loadbalancerippools: list loadbalancerippools.edgelb.io: the response is not JSON',
        'big-line':
          'watch loadbalancerippools: watch loadbalancerippools.edgelb.io: an event line exceeds 16 MiB',
      }[s];
      // Wait for this shape's reason: the previous shape's may still be listed until the relist.
      const why = await until(`/readyz names the pools (${s})`, () =>
        a.reasons().find((r) => r.startsWith('malformed response: ') && r.includes(expected)),
      );
      expect(why).toContain(expected);
      // the leader keeps running passes (a Service change) and releases nothing
      const web = server.get('v1', 'Service', 'default', 'web');
      server.update({ ...web, metadata: { ...web.metadata, labels: { touched: s } } });
      const passes = a.reconciler.passCount;
      await until('a pass', () => a.reconciler.passCount > passes);
      await Bun.sleep(300);
      expect(ip()).toBe(allocated);
      expect(a.source.observe().pools.map((p) => p.metadata.name)).toEqual(['pool']);
      shape = 'sane';
      await until(`recovered from ${s}`, () => !a.reasons().some((r) => r.includes('malformed')));
      expect(ip()).toBe(allocated);
    }
    // streamed and cut off at 16 MiB (17 chunks of 1 MiB) each try, never read to 100 MB
    expect(bigWatches).toBeGreaterThan(0);
    expect(bigPulls).toBeLessThanOrEqual(bigWatches * 18);
    expect(a.metrics.render()).toMatch(
      /edgelb_kube_malformed_responses_total\{resource="loadbalancerippools"\} [1-9]/,
    );
    a.reconciler.stop();
    await a.source.stop();
  }, 30_000);

  test('a first pools list that is malformed: never synced, nothing allocated, /readyz says why', async () => {
    server.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'late', namespace: 'default' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    });
    shape = 'items-object';
    const a = agent(server);
    stopLater.push(a);
    await a.source.start(() => a.reconciler.trigger());
    await until('the reason', () => a.reasons().some((r) => r.includes('loadbalancerippools stay unsynced')));
    await Bun.sleep(500);
    expect(a.source.observe().synced).toBe(false);
    expect(a.reasons()).toContain(
      'kubernetes source has not synced yet: not listed in full: loadbalancerippools',
    );
    expect(server.get('v1', 'Service', 'default', 'late')?.status?.loadBalancer?.ingress).toBeUndefined();
    shape = 'sane';
    await until('synced', () => a.source.observe().synced);
    await until(
      'late gets an IP',
      () => server.get('v1', 'Service', 'default', 'late')?.status?.loadBalancer?.ingress,
    );
    a.reconciler.stop();
    await a.source.stop();
  }, 20_000);
});
