/**
 * `bun run soak [--minutes 40] [--warmup-seconds 600] [--sample-seconds 30] [--seed N] [--no-faults]`:
 * continuous Service churn (create, delete, requested-IP, ETP, endpoint and annotation edits,
 * ~5 a second) against three agents, the test API server and FRR, with the chaos invariants
 * checked all along and a dropped watch every 2 minutes (reconnects are where leaks hide).
 * Every sample prints each agent's RSS (/proc/PID/status VmRSS), JavaScript heap in use
 * (process_heap_bytes from its /metrics) and open descriptors (/proc/PID/fd).
 *
 * The warm-up is 10 minutes because the leader aggregates Events per object over a 10-minute
 * window, so its memory only reaches steady state then. RSS is a saw-tooth (the loop collects
 * after every 1,000 Services handled), so growth is judged on the lower envelope: the lowest
 * sample of the last 10 against the lowest of the first 10 after warm-up; descriptors on the
 * highest of each. Targets: RSS growth < 5 MB, no descriptor growth. Not in CI. Exits 1 when a
 * target or an invariant fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startCluster } from '../e2e/cluster.ts';
import { TOPOLOGY } from '../support/netns.ts';
import { sleep } from '../support/proc.ts';
import { diffRoutes, frrRoutes } from './engine.ts';
import {
  ALL_NODES,
  applySpec,
  chaosPoolObject,
  endpointSliceObject,
  expectedRoutes,
  type Node,
  NS,
  POLICY,
  type PoolState,
  SHARING_KEYS,
  type SvcSpec,
  serviceObject,
} from './model.ts';
import { Monitor } from './monitor.ts';
import { Prng } from './prng.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const minutes = Number(arg('minutes') ?? 40);
const sampleSeconds = Number(arg('sample-seconds') ?? 30);
const warmupSeconds = Number(arg('warmup-seconds') ?? 600);
/** Samples per envelope window. */
const WINDOW = 10;
const faultsOn = !process.argv.includes('--no-faults');
const seed = arg('seed') !== undefined ? Number(arg('seed')) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const RSS_TARGET_MB = 5;
const FD_SLACK = 2;

const rssKiB = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
};
const fds = (pid: number): number => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
};

interface Sample {
  t: number;
  rss: Record<Node, number>;
  /** KiB, like rss; NaN when /metrics did not answer. */
  heap: Record<Node, number>;
  fds: Record<Node, number>;
}

console.log(`soak: seed ${seed}, ${minutes} min, sample every ${sampleSeconds} s, faults ${faultsOn}`);
const rng = new Prng(seed);
const specs = new Map<string, SvcSpec>();
const pool: PoolState = { block: 24, disabled: false };
let monitor: Monitor | undefined;
const c = await startCluster('soak', { logLevel: 'info', onRequest: (r) => monitor?.onRequest(r) });
const api = c.api;
const gens: Record<Node, number> = { worker: 1, pi4: 1, master: 1 };
const mon = new Monitor({
  api,
  nodeByAddress: new Map(ALL_NODES.map((n) => [TOPOLOGY[n].v4, n])),
  lease: { durationMs: 4000, renewMs: 3000 },
  specs,
  pool: () => pool,
  generation: (n) => gens[n],
  stoppedAt: () => undefined,
  now: Date.now,
});
monitor = mon;
const samples: Sample[] = [];
let ops = 0;
let exitCode = 0;
const stop = async () => {
  await c.destroy();
};
process.on('SIGINT', () => {
  void stop().then(() => process.exit(130));
});
try {
  api.create(chaosPoolObject(pool));
  api.create(POLICY);
  for (const ns of NS) api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const n of ALL_NODES) c.startAgent(n);
  const pids = Object.fromEntries(ALL_NODES.map((n) => [n, c.agents.get(n)!.pid])) as Record<Node, number>;
  console.log(`soak: agents ${JSON.stringify(pids)}, LAN ${c.lan.id}`);
  const poller = setInterval(() => mon.poll(), 500);
  const t0 = Date.now();
  const end = t0 + minutes * 60_000;
  let nextSample = t0 + warmupSeconds * 1000;
  let nextDrop = t0 + 120_000;
  let id = 0;
  const heapKiB = async (n: Node): Promise<number> => {
    const r = await c.lan.exec(n, ['curl', '-s', '--max-time', '2', 'http://127.0.0.1:9180/metrics'], {
      allowFail: true,
      timeoutMs: 5000,
    });
    const m = /^process_heap_bytes (\d+)/m.exec(r.stdout);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  };
  const sample = async () => {
    const heaps = await Promise.all(ALL_NODES.map(heapKiB));
    const s: Sample = {
      t: Math.round((Date.now() - t0) / 1000),
      rss: Object.fromEntries(ALL_NODES.map((n) => [n, rssKiB(pids[n])])) as Record<Node, number>,
      heap: Object.fromEntries(ALL_NODES.map((n, i) => [n, heaps[i]!])) as Record<Node, number>,
      fds: Object.fromEntries(ALL_NODES.map((n) => [n, fds(pids[n])])) as Record<Node, number>,
    };
    samples.push(s);
    const mb = (k: number) => (k / 1024).toFixed(1);
    console.log(
      `soak: t=${String(s.t).padStart(5)} s ops=${String(ops).padStart(6)} ` +
        ALL_NODES.map((n) =>
          `${n}: RSS ${mb(s.rss[n])} heap ${mb(s.heap[n])} fds ${s.fds[n]}`.padEnd(38),
        ).join(' ') +
        ` violations=${mon.violations.length}`,
    );
  };
  await sample(); // t≈0, before warm-up, for reference
  while (Date.now() < end) {
    await sleep(rng.int(100, 300));
    const all = [...specs.values()];
    const r = rng.next();
    if (all.length < 30 || (r < 0.25 && all.length < 50)) {
      const s: SvcSpec = {
        name: `soak-${id}`,
        ns: rng.pick(NS),
        port: 10_000 + (id % 50_000),
        cls: 'none',
        etpLocal: rng.chance(0.3),
        blogLabel: false,
        endpoints: ALL_NODES.filter(() => rng.chance(0.5)),
        touch: 0,
      };
      id++;
      if (rng.chance(0.2)) s.requestIp = `10.77.0.${rng.int(1, 254)}`;
      if (rng.chance(0.2)) s.sharingKey = rng.pick(SHARING_KEYS);
      specs.set(`${s.ns}/${s.name}`, s);
      api.create(serviceObject(s));
      api.create(endpointSliceObject(s));
    } else if (r < 0.45) {
      const s = rng.pick(all);
      specs.delete(`${s.ns}/${s.name}`);
      api.remove('v1', 'Service', s.ns, s.name);
      api.remove('discovery.k8s.io/v1', 'EndpointSlice', s.ns, `${s.name}-eps`);
    } else {
      const s = rng.pick(all);
      const what = rng.pick(['touch', 'endpoints', 'etp', 'ip'] as const);
      if (what === 'endpoints') {
        s.endpoints = ALL_NODES.filter(() => rng.chance(0.5));
        api.update(endpointSliceObject(s));
      } else {
        const l = mon.live(s);
        if (what === 'etp') {
          mon.cause(l?.uid);
          s.etpLocal = !s.etpLocal;
          for (const o of all) if (o.sharingKey && o.sharingKey === s.sharingKey) mon.cause(mon.live(o)?.uid);
        } else if (what === 'ip') {
          mon.cause(l?.uid);
          s.requestIp = rng.chance(0.5) ? undefined : `10.77.0.${rng.int(1, 254)}`;
        } else s.touch++;
        if (l) api.update(applySpec(l.obj, s));
      }
    }
    ops++;
    if (faultsOn && Date.now() >= nextDrop) {
      api.faults.dropWatches();
      nextDrop += 120_000;
    }
    if (Date.now() >= nextSample) {
      await sample();
      nextSample += sampleSeconds * 1000;
    }
  }
  clearInterval(poller);
  // The world still converges: FRR holds exactly the expected routes.
  let diff: string[] = [];
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    const want = expectedRoutes(
      [...specs.values()],
      (s) => mon.live(s)?.ips ?? [],
      (n) => TOPOLOGY[n].v4,
    );
    diff = diffRoutes(want, await frrRoutes(c.frr.json));
    if (diff.length === 0) break;
  }
  for (const d of diff.slice(0, 10)) mon.violation(`FRR routes at the end: ${d}`);

  const after = samples.filter((x) => x.t >= warmupSeconds);
  if (after.length < 2 * WINDOW) {
    console.log(`soak: only ${after.length} samples after warm-up; need ${2 * WINDOW} (longer --minutes)`);
    exitCode = 1;
  }
  const first = after.slice(0, WINDOW);
  const lastW = after.slice(-WINDOW);
  const low = (xs: Sample[], f: (x: Sample) => number) =>
    Math.min(...xs.map(f).filter((v) => !Number.isNaN(v)));
  const high = (xs: Sample[], f: (x: Sample) => number) => Math.max(...xs.map(f));
  const mb = (k: number) => `${(k / 1024).toFixed(1)} MB`;
  const signed = (k: number) => `${k >= 0 ? '+' : ''}${(k / 1024).toFixed(1)} MB`;
  console.log(
    `\nsoak: ${ops} operations in ${minutes} min, seed ${seed}; windows of ${WINDOW} samples every ${sampleSeconds} s after ${warmupSeconds} s`,
  );
  console.log(
    '| agent | RSS low, first window | RSS low, last window | RSS growth | RSS max | heap low, first / last | heap growth | fds max, first / last |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const n of ALL_NODES) {
    const r0 = low(first, (x) => x.rss[n]);
    const r1 = low(lastW, (x) => x.rss[n]);
    const h0 = low(first, (x) => x.heap[n]);
    const h1 = low(lastW, (x) => x.heap[n]);
    const f0 = high(first, (x) => x.fds[n]);
    const f1 = high(lastW, (x) => x.fds[n]);
    console.log(
      `| ${n} | ${mb(r0)} | ${mb(r1)} | ${signed(r1 - r0)} | ${mb(high(after, (x) => x.rss[n]))} | ${mb(h0)} / ${mb(h1)} | ${signed(h1 - h0)} | ${f0} / ${f1} |`,
    );
    if (!(r1 - r0 < RSS_TARGET_MB * 1024)) {
      console.log(`soak: ${n} RSS grew ${signed(r1 - r0)} (target < ${RSS_TARGET_MB} MB)`);
      exitCode = 1;
    }
    if (!(f1 <= f0 + FD_SLACK)) {
      console.log(`soak: ${n} descriptors grew ${f0} -> ${f1}`);
      exitCode = 1;
    }
  }
  console.log(`soak: violations ${mon.violations.length}, status writes ${mon.statusWrites}`);
  for (const v of mon.violations) console.log(`violation: ${v}`);
  if (mon.violations.length > 0) exitCode = 1;
} finally {
  await stop();
}
process.exit(exitCode);
