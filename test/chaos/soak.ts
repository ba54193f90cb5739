/**
 * `bun run soak [--minutes 30] [--seed N] [--sample-seconds 60] [--no-faults]`: continuous
 * Service churn (create, delete, requested-IP, ETP, endpoint and annotation edits, ~5 a second)
 * against three agents, the test API server and FRR, with the chaos invariants checked all along
 * and a dropped watch every 2 minutes (reconnects are where leaks hide). Every sample prints
 * each agent's RSS (/proc/PID/status VmRSS) and open descriptors (/proc/PID/fd). Targets: RSS
 * growth < 5 MB and no descriptor growth, from the first sample after warm-up to the end.
 * Not in CI. Exits 1 when a target or an invariant fails.
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

const minutes = Number(arg('minutes') ?? 30);
const sampleSeconds = Number(arg('sample-seconds') ?? 60);
const warmupSeconds = Number(arg('warmup-seconds') ?? 120);
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
  const sample = () => {
    const s: Sample = {
      t: Math.round((Date.now() - t0) / 1000),
      rss: Object.fromEntries(ALL_NODES.map((n) => [n, rssKiB(pids[n])])) as Record<Node, number>,
      fds: Object.fromEntries(ALL_NODES.map((n) => [n, fds(pids[n])])) as Record<Node, number>,
    };
    samples.push(s);
    console.log(
      `soak: t=${String(s.t).padStart(5)} s ops=${String(ops).padStart(6)} ` +
        ALL_NODES.map((n) => `${n}: RSS ${(s.rss[n] / 1024).toFixed(1)} MB fds ${s.fds[n]}`.padEnd(34)).join(
          ' ',
        ) +
        ` violations=${mon.violations.length}`,
    );
  };
  sample(); // t≈0, before warm-up, for reference
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
      sample();
      nextSample += sampleSeconds * 1000;
    }
  }
  sample();
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

  const base = samples.find((s) => s.t >= warmupSeconds) ?? samples[0]!;
  const last = samples[samples.length - 1]!;
  console.log(`\nsoak: ${ops} operations in ${minutes} min, seed ${seed}`);
  console.log(
    '| agent | RSS at t=0 | RSS after warm-up | RSS at end | growth | max | fds after warm-up | fds at end | max fds |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const n of ALL_NODES) {
    const after = samples.filter((s) => s.t >= base.t);
    const growth = (last.rss[n] - base.rss[n]) / 1024;
    const maxRss = Math.max(...after.map((s) => s.rss[n])) / 1024;
    const maxFd = Math.max(...after.map((s) => s.fds[n]));
    console.log(
      `| ${n} | ${(samples[0]!.rss[n] / 1024).toFixed(1)} MB | ${(base.rss[n] / 1024).toFixed(1)} MB | ` +
        `${(last.rss[n] / 1024).toFixed(1)} MB | ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB | ${maxRss.toFixed(1)} MB | ` +
        `${base.fds[n]} | ${last.fds[n]} | ${maxFd} |`,
    );
    if (!(growth < RSS_TARGET_MB)) {
      console.log(`soak: ${n} RSS grew ${growth.toFixed(1)} MB (target < ${RSS_TARGET_MB} MB)`);
      exitCode = 1;
    }
    // A watch reconnecting at the sampling instant may hold one or two sockets more.
    if (!(last.fds[n] <= base.fds[n] + FD_SLACK)) {
      console.log(`soak: ${n} descriptors grew ${base.fds[n]} -> ${last.fds[n]}`);
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
