/**
 * `bun test/bench/l2-memory.ts` — what L2 mode keeps in memory per owned IP, in process, with the
 * real timers (systemClock) and fake link ports (no sockets, no root needed). Not a test: it
 * prints, per phase, the JS heap (bun:jsc heapStats after a full GC), the RSS and its anonymous
 * part (/proc/self/status), their growth per IP, and the object types that grew most.
 *
 * Phases, each on top of the previous one's state:
 * 1. responder: a Responder answering N IPv4 addresses on one interface, after the 1 s burst;
 * 2. announcer: the reconcile loop's L2 step (L2Announcer, static ownership, as in files mode)
 *    over N Services, after one pass, then after 10 more passes (the garbage of a pass shows as
 *    heap growth only if something keeps it);
 * 3. ownership: L2Ownership (kubernetes mode) over N candidates with an in-memory Lease store and
 *    watch, after 5 s of heartbeats every 0.5 s.
 *
 * Options: --ips 10000  --only responder|announcer|ownership
 */
import { heapStats } from 'bun:jsc';
import { readFileSync } from 'node:fs';
import type { Lease } from '../../agent/kube/lease-record.ts';
import type { HeartbeatLease } from '../../agent/l2/heartbeat-lease.ts';
import { type HeartbeatWatch, L2Ownership } from '../../agent/l2/ownership-controller.ts';
import { type LinkPort, Responder } from '../../agent/l2/responder.ts';
import { parseMac } from '../../agent/l2/wire/index.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { L2Announcer, StaticOwnership } from '../../agent/reconcile/l2-announcer.ts';
import { validObjects } from '../../agent/reconcile/plan/valid-objects.ts';
import type { StatusWriter } from '../../agent/source/types.ts';
import { l2BenchIp, l2ObservedState } from '../support/l2-observed.ts';

const argIndex = process.argv.indexOf('--ips');
const N = argIndex >= 0 ? Number(process.argv[argIndex + 1]) : 10_000;
const onlyIndex = process.argv.indexOf('--only');
const ONLY = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
const runs = (phase: string) => ONLY === undefined || ONLY === phase;
const MAC = parseMac('02:00:00:00:00:01')!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class NullPort implements LinkPort {
  frames = 0;
  constructor(
    readonly name: string,
    readonly mac: Uint8Array,
  ) {}
  drain() {
    return [];
  }
  send() {
    this.frames++;
    return true;
  }
  join() {}
  leave() {}
  close() {}
}

interface Sample {
  heap: number;
  capacity: number;
  objects: number;
  rss: number;
  anon: number;
  types: Record<string, number>;
}

function statusKb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

function sample(): Sample {
  Bun.gc(true);
  Bun.gc(true);
  const h = heapStats();
  return {
    heap: h.heapSize,
    capacity: h.heapCapacity,
    objects: h.objectCount,
    rss: statusKb('VmRSS'),
    anon: statusKb('RssAnon'),
    types: { ...h.objectTypeCounts },
  };
}

const MiB = (b: number) => (b / 1048576).toFixed(1);

function report(name: string, from: Sample, to: Sample): void {
  const per = (a: number, b: number) => `${((b - a) / N).toFixed(0)} B/IP`;
  console.log(
    `${name}: heap ${MiB(to.heap)} MiB (+${MiB(to.heap - from.heap)}, ${per(from.heap, to.heap)}), ` +
      `objects +${to.objects - from.objects} (${((to.objects - from.objects) / N).toFixed(1)}/IP), ` +
      `capacity ${MiB(to.capacity)} MiB, RSS ${MiB(to.rss)} MiB (+${MiB(to.rss - from.rss)}, ${per(from.rss, to.rss)}), ` +
      `anon ${MiB(to.anon)} MiB (+${MiB(to.anon - from.anon)})`,
  );
  const grown = Object.entries(to.types)
    .map(([t, n]) => [t, n - (from.types[t] ?? 0)] as const)
    .filter(([, d]) => Math.abs(d) >= N / 10)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
  console.log(
    `  grew: ${grown.map(([t, d]) => `${t} ${d > 0 ? '+' : ''}${d}`).join(', ') || '(nothing >= N/10)'}`,
  );
}

const ips = Array.from({ length: N }, (_, i) => l2BenchIp(i + 1));

const s0 = sample();

// 1. The Responder alone.
if (runs('responder')) {
  const port = new NullPort('eth0', MAC);
  const responder = new Responder({
    clock: systemClock,
    openLink: () => ({ ok: true, port }),
    log: memoryLogger('error'),
  });
  responder.setOwned(new Map(ips.map((ip) => [ip, 'eth0'])));
  await sleep(1500);
  const s1 = sample();
  report(`1. responder, ${N} IPs after the burst (${port.frames} frames sent)`, s0, s1);
  responder.stop();
  const s1b = sample();
  report('   responder stopped', s1, s1b);
}

// 2. The L2 step of the loop over N Services (static ownership: files mode).
if (runs('announcer')) {
  const observed = l2ObservedState({
    node: 'bench',
    ips,
    namespace: 'bench',
    pool: 'bench',
    policy: { name: 'bench', spec: { pools: ['bench'], interfaces: ['^eth0$'] } },
  });
  const objects = validObjects(observed);
  const port2 = new NullPort('eth0', MAC);
  let events = 0;
  const writer = { nodeEvent: () => events++ } as unknown as StatusWriter;
  const s2a = sample();
  const announcer = new L2Announcer({
    nodeName: 'bench',
    clock: systemClock,
    log: memoryLogger('error'),
    metrics: new Registry(),
    ownership: (hooks) => new StaticOwnership({ nodeName: 'bench', ...hooks }),
    responder: (mayAnswer) =>
      new Responder({ clock: systemClock, mayAnswer, openLink: () => ({ ok: true, port: port2 }) }),
    links: () => [
      {
        name: 'eth0',
        ifindex: 2,
        mac: '02:00:00:00:00:01',
        up: true,
        loopback: false,
        noarp: false,
        addresses: [{ cidr: '10.96.0.1/16' }],
      },
    ],
    writer: () => writer,
  });
  let t = performance.now();
  announcer.update(observed, objects);
  const firstPassMs = performance.now() - t;
  await sleep(1500);
  const s2 = sample();
  report(`2. announcer, one pass (${firstPassMs.toFixed(0)} ms, ${events} events)`, s2a, s2);
  t = performance.now();
  for (let i = 0; i < 10; i++) announcer.update(observed, objects);
  const passMs = (performance.now() - t) / 10;
  const s2b = sample();
  report(`   10 more passes (${passMs.toFixed(1)} ms each)`, s2, s2b);
  await sleep(10_000);
  const s2d = sample();
  report('   10 s later', s2b, s2d);
  await announcer.stop();
  const s2c = sample();
  report('   announcer stopped', s2b, s2c);
}

// 3. Kubernetes-mode ownership: heartbeat Lease writes seen back through a watch.
if (runs('ownership')) {
  let lease: HeartbeatLease | undefined;
  let rv = 0;
  let onChange: () => void = () => {};
  const store = {
    get: async () => lease,
    create: async (l: Lease) => {
      lease = { ...(l as HeartbeatLease), metadata: { ...l.metadata, resourceVersion: String(++rv) } };
      queueMicrotask(() => onChange());
      return lease;
    },
    update: async (l: Lease) => {
      // As an API server does: the watch delivers a decoded copy of what was written.
      lease = JSON.parse(
        JSON.stringify({ ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } }),
      );
      queueMicrotask(() => onChange());
      return lease as Lease;
    },
  };
  const watch: HeartbeatWatch = {
    start(cb) {
      onChange = cb;
    },
    stop() {},
    list: () => (lease ? [lease] : []),
    synced: true,
  };
  let answered = 0;
  const s3a = sample();
  const ownership = new L2Ownership({
    node: 'bench',
    namespace: 'bench',
    leaseDurationMs: 2000,
    renewIntervalMs: 500,
    store,
    watch,
    clock: systemClock,
    log: memoryLogger('error'),
    onOwnedChange: (o) => {
      answered = o.size;
    },
  });
  ownership.start();
  ownership.setCandidates(ips.map((ip) => ({ ip, eligibleNodes: ['bench'], group: `bench/${ip}` })));
  await sleep(5000);
  const s3 = sample();
  report(
    `3. ownership after 5 s (${answered} answered, ${ownership.snapshot().heartbeatWrites} writes)`,
    s3a,
    s3,
  );
  await ownership.stop();
}
