/**
 * The chaos engine: three agents (worker, pi4 peering with FRR; master not), the test API
 * server with fault injection, FRR AS 65000 — the e2e cluster — driven by a seeded random
 * schedule of Service, EndpointSlice and pool edits, agent kills and restarts, and API faults,
 * while Monitor checks the invariants. Then faults stop and the world must converge: every
 * eligible Service has its IP and FRR holds exactly the expected routes.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_ADDRESS, startCluster } from '../e2e/cluster.ts';
import { TOPOLOGY } from '../support/netns.ts';
import { sleep } from '../support/proc.ts';
import {
  ALL_NODES,
  applySpec,
  BLOG_IPS,
  BLOG_POOL,
  CHAOS_NET,
  type ChaosBlock,
  chaosPoolObject,
  chaosRange,
  compatible,
  endpointSliceObject,
  expectedRoutes,
  inEligiblePool,
  type Node,
  NS,
  owned,
  POLICY,
  type PoolState,
  SHARING_KEYS,
  type SvcSpec,
  serviceObject,
} from './model.ts';
import { Monitor } from './monitor.ts';
import { Prng } from './prng.ts';

export interface ChaosOptions {
  seed: number;
  /** length of the random schedule */
  seconds: number;
  /** network namespace family (1–5 chars) */
  family: string;
  /** bound for convergence after the faults stop (default 60 s) */
  convergeMs?: number;
  maxServices?: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  seed: number;
  operations: number;
  faults: number;
  leaderChanges: number;
  statusWrites: number;
  ipChanges: number;
  byKind: Record<string, number>;
  violations: string[];
  convergedMs: number | undefined;
  routes: number;
  scheduleMs: number;
}

const LEASE = { duration: 4, renew: 3, retry: 1 };
const OPS = {
  create: 12,
  delete: 4,
  requestIp: 7,
  sharingKey: 6,
  etp: 5,
  label: 3,
  touch: 4,
  classChange: 4,
  endpoints: 6,
  poolEdit: 4,
};
const FAULTS = { kill: 3, cleanRestart: 2, burst500: 3, dropWatches: 2, expire410: 2, hang: 2, partition: 2 };

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const verbose = (l: string) => {
    if (process.env.CHAOS_VERBOSE) log(`[+${((Date.now() - t0) / 1000).toFixed(1)}] ${l}`);
  };
  const rng = new Prng(o.seed);
  const t0 = Date.now();
  const specs = new Map<string, SvcSpec>();
  let pool: PoolState = { block: 26, disabled: false };
  const gens: Record<Node, number> = { worker: 0, pi4: 0, master: 0 };
  const stopped = new Map<string, number>();
  const down = new Set<Node>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const byKind: Record<string, number> = {};
  let operations = 0;
  let faults = 0;
  let hanging = false;
  const partitioned = new Set<Node>();
  const nodeByAddress = new Map<string, Node>(ALL_NODES.map((n) => [TOPOLOGY[n].v4, n]));

  // The monitor is created before the cluster so the API server's hook can reach it.
  let monitor: Monitor | undefined;
  const c = await startCluster(o.family, {
    lease: LEASE,
    logLevel: 'info',
    onRequest: (r) => monitor?.onRequest(r),
  });
  const api = c.api;
  const mon = new Monitor({
    api,
    nodeByAddress,
    lease: { durationMs: LEASE.duration * 1000, renewMs: LEASE.renew * 1000 },
    specs,
    pool: () => pool,
    generation: (n) => gens[n],
    stoppedAt: (p) => stopped.get(p),
    now: Date.now,
  });
  monitor = mon;
  const poller = setInterval(() => {
    try {
      mon.poll();
    } catch (err) {
      log(`poll failed: ${(err as Error).message}`);
    }
  }, 200);
  const later = (ms: number, fn: () => void | Promise<void>) => {
    const t = setTimeout(() => {
      timers.delete(t);
      void fn();
    }, ms);
    timers.add(t);
  };
  const count = (k: string) => {
    byKind[k] = (byKind[k] ?? 0) + 1;
  };
  const startAgent = (n: Node) => {
    gens[n]++;
    down.delete(n);
    c.startAgent(n);
  };
  const heal = async (n: Node) => {
    if (!partitioned.delete(n)) return;
    await c.lan.exec(n, ['ip', 'route', 'del', 'blackhole', `${ROOT_ADDRESS}/32`], { allowFail: true });
  };
  const stopAgent = async (n: Node, clean: boolean) => {
    const p = c.agents.get(n);
    if (!p || down.has(n)) return false;
    down.add(n);
    stopped.set(`${n}#${gens[n]}`, Date.now());
    if (clean) await p.stop(5000);
    else await p.kill();
    return true;
  };

  let scheduleMs = 0;
  let convergedMs: number | undefined;
  let routes = 0;
  try {
    api.create(BLOG_POOL);
    api.create(chaosPoolObject(pool));
    api.create(POLICY);
    for (const ns of NS) api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const n of ALL_NODES) startAgent(n);
    log(`chaos: seed ${o.seed}, ${o.seconds} s schedule, LAN ${c.lan.id}, logs in ${c.lan.dir}`);

    let nextId = 0;
    const maxServices = o.maxServices ?? 28;
    const randomIp = (): string => {
      const r = rng.next();
      if (r < 0.12) return rng.pick(BLOG_IPS);
      if (r < 0.2) return `${CHAOS_NET}.${rng.int(64, 100)}`; // only inside the /25
      return `${CHAOS_NET}.${rng.int(1, 62)}`;
    };
    const liveSpecs = () => [...specs.values()];
    const holdersOf = (ip: string) =>
      liveSpecs().filter((s) => owned(s) && (mon.live(s)?.ips ?? []).includes(ip));
    /** The harness is about to change what decides s's IP: s and those sharing its IPs may move. */
    const causeFor = (s: SvcSpec) => {
      const l = mon.live(s);
      mon.cause(l?.uid);
      for (const ip of l?.ips ?? []) for (const o2 of holdersOf(ip)) mon.cause(mon.live(o2)?.uid);
    };
    const writeSpec = (s: SvcSpec) => {
      const live = api.get('v1', 'Service', s.ns, s.name);
      if (live) api.update(applySpec(live, s));
    };
    const writeSlice = (s: SvcSpec) => {
      const obj = endpointSliceObject(s);
      if (api.get('discovery.k8s.io/v1', 'EndpointSlice', s.ns, obj.metadata.name)) api.update(obj);
      else api.create(obj);
    };
    const removeSlice = (s: SvcSpec) => {
      if (api.get('discovery.k8s.io/v1', 'EndpointSlice', s.ns, `${s.name}-eps`))
        api.remove('discovery.k8s.io/v1', 'EndpointSlice', s.ns, `${s.name}-eps`);
    };
    const randomEndpoints = (): Node[] => ALL_NODES.filter(() => rng.chance(0.5));

    const doOp = async (opKind: keyof typeof OPS): Promise<boolean> => {
      let kind = opKind;
      const all = liveSpecs();
      // Keep the population near its target: fill up first, delete only when crowded.
      if (all.length < (o.maxServices ?? 28) / 2 && rng.chance(0.5)) kind = 'create';
      if (kind === 'delete' && all.length < (o.maxServices ?? 28) * 0.6) kind = 'touch';
      if (kind === 'create' || all.length === 0) {
        if (all.length >= maxServices) return false;
        const id = nextId++;
        const s: SvcSpec = {
          name: `svc-${id}`,
          ns: rng.pick(NS),
          port: 10_000 + id,
          cls: rng.weighted({ none: 6, edgelb: 3, other: 1 }),
          etpLocal: rng.chance(0.25),
          blogLabel: rng.chance(0.2),
          endpoints: randomEndpoints(),
          touch: 0,
        };
        if (rng.chance(0.3)) s.requestIp = randomIp();
        if (rng.chance(0.4)) s.sharingKey = rng.pick(SHARING_KEYS);
        specs.set(`${s.ns}/${s.name}`, s);
        api.create(serviceObject(s));
        writeSlice(s);
        count('create');
        return true;
      }
      const s = rng.pick(all);
      switch (kind) {
        case 'delete':
          specs.delete(`${s.ns}/${s.name}`);
          api.remove('v1', 'Service', s.ns, s.name);
          removeSlice(s);
          break;
        case 'requestIp':
          causeFor(s);
          s.requestIp = rng.chance(0.35) ? undefined : randomIp();
          writeSpec(s);
          break;
        case 'sharingKey':
          causeFor(s);
          s.sharingKey = rng.chance(0.35) ? undefined : rng.pick(SHARING_KEYS);
          writeSpec(s);
          break;
        case 'etp':
          causeFor(s);
          s.etpLocal = !s.etpLocal;
          writeSpec(s);
          break;
        case 'label':
          causeFor(s);
          s.blogLabel = !s.blogLabel;
          writeSpec(s);
          break;
        case 'touch':
          // Not a cause: an unrelated annotation must never move an IP.
          s.touch++;
          writeSpec(s);
          break;
        case 'classChange': {
          // loadBalancerClass is immutable: users change it by recreating the Service.
          api.remove('v1', 'Service', s.ns, s.name);
          s.cls = s.cls === 'other' ? rng.pick(['none', 'edgelb'] as const) : 'other';
          api.create(serviceObject(s));
          break;
        }
        case 'endpoints':
          s.endpoints = randomEndpoints();
          writeSlice(s);
          break;
        case 'poolEdit': {
          const next: PoolState = rng.chance(0.4)
            ? { ...pool, disabled: !pool.disabled }
            : { ...pool, block: rng.pick([25, 26, 27] as ChaosBlock[]) };
          // Shrinking is a cause for every Service whose IP leaves the pool.
          if (chaosRange(next.block)[1] < chaosRange(pool.block)[1])
            for (const x of all) {
              const l = mon.live(x);
              if (l?.ips.some((ip) => !inEligiblePool(ip, x, next))) mon.cause(l.uid);
            }
          pool = next;
          const live = api.get('edgelb.io/v1alpha1', 'LoadBalancerIPPool', undefined, 'chaos');
          api.update({ ...live, spec: chaosPoolObject(pool).spec });
          break;
        }
        default:
          return false;
      }
      count(kind);
      return true;
    };

    /** Half the time the leader (when it is a candidate): leader failover is what matters most. */
    const leaderBiased = (candidates: Node[]): Node => {
      const leader = c.leaseHolder().split('_')[0] as Node;
      return candidates.includes(leader) && rng.chance(0.5) ? leader : rng.pick(candidates);
    };
    const doFault = async (kind: keyof typeof FAULTS): Promise<boolean> => {
      switch (kind) {
        case 'kill':
        case 'cleanRestart': {
          const up = ALL_NODES.filter((n) => !down.has(n));
          if (up.length < 2) return false;
          const n = leaderBiased(up);
          const delay = rng.int(300, 4000);
          if (!(await stopAgent(n, kind === 'cleanRestart'))) return false;
          later(delay, () => startAgent(n));
          break;
        }
        case 'burst500':
          api.faults.failNext(rng.int(3, 15), {
            status: rng.pick([500, 500, 503]),
            path: rng.pick([undefined, '/services', '/leases', 'watch']),
          });
          break;
        case 'dropWatches':
          api.faults.dropWatches();
          break;
        case 'expire410':
          api.faults.expireWatches();
          break;
        case 'partition': {
          // One node loses the API server (a blackhole route; BGP to the router stays up).
          const free = ALL_NODES.filter((n) => !partitioned.has(n));
          if (free.length === 0) return false;
          const n = leaderBiased(free);
          partitioned.add(n);
          await c.lan.exec(n, ['ip', 'route', 'add', 'blackhole', `${ROOT_ADDRESS}/32`]);
          later(rng.int(2000, 8000), () => heal(n));
          break;
        }
        case 'hang': {
          if (hanging) return false;
          hanging = true;
          api.faults.hang(true);
          later(rng.int(1000, 6000), () => {
            hanging = false;
            api.faults.hang(false);
          });
          break;
        }
      }
      count(kind);
      verbose(`fault ${kind} (lease holder ${c.leaseHolder() || '-'}, down: ${[...down].join(',') || '-'})`);
      return true;
    };

    const end = t0 + o.seconds * 1000;
    while (Date.now() < end) {
      await sleep(rng.int(150, 650));
      if (rng.chance(0.22)) {
        if (await doFault(rng.weighted(FAULTS))) faults++;
      } else if (await doOp(rng.weighted(OPS))) operations++;
    }
    scheduleMs = Date.now() - t0;

    // Faults stop: the world must converge.
    log(`chaos: schedule done (${operations} operations, ${faults} faults); converging`);
    for (const t of timers) clearTimeout(t);
    timers.clear();
    api.faults.reset();
    hanging = false;
    for (const n of [...partitioned]) await heal(n);
    for (const n of ALL_NODES) if (down.has(n) || !c.agents.get(n)?.running()) startAgent(n);
    if (pool.disabled || pool.block !== 26) {
      if (pool.block === 25)
        for (const x of liveSpecs()) {
          const l = mon.live(x);
          if (l?.ips.some((ip) => !inEligiblePool(ip, x, { block: 26, disabled: false }))) mon.cause(l.uid);
        }
      pool = { block: 26, disabled: false };
      const live = api.get('edgelb.io/v1alpha1', 'LoadBalancerIPPool', undefined, 'chaos');
      api.update({ ...live, spec: chaosPoolObject(pool).spec });
    }
    const tc = Date.now();
    const bound = o.convergeMs ?? 60_000;
    let problems: string[] = [];
    while (Date.now() - tc < bound) {
      problems = convergenceProblems(liveSpecs(), mon, pool);
      if (problems.length === 0) break;
      await sleep(250);
    }
    if (problems.length > 0) {
      for (const p of problems.slice(0, 20)) mon.violation(`not converged after ${bound} ms: ${p}`);
    } else {
      convergedMs = Date.now() - tc;
      // FRR: exactly the expected routes, next hops the announcing nodes.
      const want = expectedRoutes(
        liveSpecs(),
        (s) => mon.live(s)?.ips ?? [],
        (n) => TOPOLOGY[n].v4,
      );
      routes = want.size;
      let diff: string[] = [];
      const tr = Date.now();
      while (Date.now() - tr < 30_000) {
        diff = diffRoutes(want, await frrRoutes(c.frr.json));
        if (diff.length === 0) break;
        await sleep(500);
      }
      for (const d of diff.slice(0, 20)) mon.violation(`FRR routes after convergence: ${d}`);
    }
    mon.poll();
    if (mon.openConflicts() > 0) mon.violation(`${mon.openConflicts()} incompatible sharing pairs remain`);
  } finally {
    clearInterval(poller);
    for (const t of timers) clearTimeout(t);
    api.faults.reset();
    if (mon.violations.length > 0 || process.env.CHAOS_KEEP_LOGS) {
      // The LAN's directory goes with it: keep the agents' logs for the post-mortem.
      const keep = `/tmp/edgelb-chaos-logs-${o.seed}`;
      cpSync(join(c.lan.dir, 'agents'), keep, { recursive: true });
      log(`chaos: agent logs kept in ${keep}`);
    }
    await c.destroy();
  }
  return {
    seed: o.seed,
    operations,
    faults,
    leaderChanges: mon.leaderChanges,
    statusWrites: mon.statusWrites,
    ipChanges: mon.ipChanges,
    byKind,
    violations: mon.violations,
    convergedMs,
    routes,
    scheduleMs,
  };
}

/** What still keeps the world from being converged (empty: converged). */
export function convergenceProblems(specs: SvcSpec[], mon: Monitor, pool: PoolState): string[] {
  const out: string[] = [];
  const live = new Map(specs.map((s) => [s, mon.live(s)]));
  const holders = (ip: string) => specs.filter((s) => owned(s) && live.get(s)?.ips.includes(ip));
  for (const s of specs) {
    const l = live.get(s);
    const key = `${s.ns}/${s.name}`;
    if (!l) {
      out.push(`${key} missing from the store`);
      continue;
    }
    if (!owned(s)) continue;
    const cond = (l.obj.status?.conditions ?? []).find(
      (x: { type: string }) => x.type === 'edgelb.io/IPAMRequestSatisfied',
    );
    if (!cond) {
      out.push(`${key} has no IPAMRequestSatisfied condition`);
      continue;
    }
    if (l.ips.length > 1) out.push(`${key} holds ${l.ips.join(',')}`);
    for (const ip of l.ips) {
      for (const o of holders(ip))
        if (o !== s && !compatible(s, o)) out.push(`${key} shares ${ip} with ${o.name}`);
      if (!inEligiblePool(ip, s, pool)) out.push(`${key} holds ${ip} outside its pools`);
      if (s.requestIp && s.requestIp !== ip) out.push(`${key} holds ${ip}, requests ${s.requestIp}`);
    }
    if (l.ips.length === 0) {
      // A keyed Service whose key-mates in its namespace are incompatible (ETP) is refused, not moved.
      const keyConflict =
        cond.reason === 'SharingConflict' &&
        specs.some(
          (o) => o !== s && owned(o) && o.sharingKey === s.sharingKey && o.ns === s.ns && !compatible(s, o),
        );
      if (!s.requestIp) {
        if (!keyConflict) out.push(`${key} has no IP (${cond.reason}: ${cond.message})`);
      } else if (inEligiblePool(s.requestIp, s, pool)) {
        const blockers = holders(s.requestIp).filter((o) => !compatible(s, o));
        // Issue 21: the IP is held for a deleted Service (pool releaseDelaySeconds); the
        // request waits until the hold ends, with a condition naming the IP.
        const held =
          cond.reason === 'IpHeld' && String(cond.message).startsWith(`${s.requestIp} is held for `);
        if (blockers.length === 0 && !held)
          out.push(`${key} requests free ${s.requestIp} but has none (${cond.reason}: ${cond.message})`);
      }
    }
    if (l.ips.length > 0 && cond.status !== 'True') out.push(`${key} has an IP but condition ${cond.status}`);
  }
  return out;
}

type RouteTable = Map<string, string[]>;

/** FRR's IPv4 table: prefix -> sorted next hops of valid paths. */
export async function frrRoutes(json: <T>(cmd: string) => Promise<T>): Promise<RouteTable> {
  const d = await json<{ routes?: Record<string, { valid?: boolean; nexthops?: { ip?: string }[] }[]> }>(
    'show bgp ipv4 unicast json',
  );
  const out: RouteTable = new Map();
  for (const [prefix, paths] of Object.entries(d.routes ?? {}))
    out.set(
      prefix,
      paths
        .filter((p) => p.valid !== false)
        .map((p) => p.nexthops?.[0]?.ip ?? '?')
        .sort(),
    );
  return out;
}

export function diffRoutes(want: RouteTable, got: RouteTable): string[] {
  const out: string[] = [];
  for (const [p, hops] of want) {
    const g = got.get(p);
    if (!g) out.push(`${p} missing (want via ${hops.join(',')})`);
    else if (g.join(',') !== hops.join(',')) out.push(`${p} via ${g.join(',')}, want ${hops.join(',')}`);
  }
  for (const [p, hops] of got) if (!want.has(p)) out.push(`${p} unexpected (via ${hops.join(',')})`);
  return out;
}
