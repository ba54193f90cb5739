/**
 * The BFD part of `bench:failover`: how long a silently dead node keeps its path at the router,
 * with BFD (300 ms × 3) and without (BGP hold 9 s, keepalive 3 s). Also runs alone:
 *
 *   bun test/bench/failover-bfd.ts [--trials 20] [--hold-trials N] [--idle] [--idle-seconds 20]
 *
 * Lab (one per case, test/support/netns.ts): FRR zebra + bfdd + bgpd at 192.168.2.1 (AS 65000,
 * passive, no graceful restart, connect-retry 1 s, `neighbor X bfd` in the BFD case), two
 * edgelb agents in files mode at .10 and .11 (test/support/bfd-node.ts) announcing the same
 * /32, so the router holds it as ECMP. One trial: a random wait (so the kill lands anywhere in
 * the TX / keepalive phase), `ip link set eth0 down` inside a node's namespace (the router's
 * side of the bridge stays up: only BFD or the hold timer can notice), then the router's bgpd
 * is polled every 20 ms through its vty socket (`show bgp ipv4 unicast PREFIX json`) until that
 * node's path is gone: the figure is the time from just before the `ip link` command to the
 * first poll without the path (an upper bound by up to one poll period). The link back up, the
 * path back (and BFD at 300 ms again) before the next trial. BFD trials alternate between the
 * nodes; hold trials run on both nodes at once (each ~9 s), so 20 + 20 take about 4 minutes.
 * `--idle` also measures the CPU of an idle agent with 4 BFD sessions at 300 ms (two routers,
 * IPv4 and IPv6; test/bench/bfd-idle.bench.ts measures the BfdManager alone). Not a test:
 * prints a table and a JSON line, exits 0 even when a target is missed (1 only when the lab
 * fails).
 */
import { join } from 'node:path';
import {
  type EdgeNode,
  pathPeers,
  SERVICE_PREFIX,
  startBfdRouter,
  startEdgeNode,
} from '../support/bfd-node.ts';
import { missing } from '../support/env.ts';
import type { FrrBfd } from '../support/frr-bfd.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { run, sleep, waitFor } from '../support/proc.ts';
import { FrrVty } from './support/frr-vty.ts';
import { clockTicks, cpuTicks, rssMiB, threadTicks } from './support/proc-stats.ts';
import { formatTable, quantile, type Row } from './support/stats.ts';

export const DEFAULT_TRIALS = 20;
/** The issue's target for BFD: p99 ≤ 1.0 s (detection time 900 ms plus FRR's withdrawal). */
export const BFD_P99_TARGET_MS = 1000;
/** Idle CPU target of an agent with 4 BFD sessions at 300 ms. */
export const IDLE_CPU_TARGET_PERCENT = 1;
const POLL_MS = 20;
const HOLD_SECONDS = 9;
const KEEPALIVE_SECONDS = 3;
/** A trial that has not lost its path by then counts as a timeout (never hangs). */
const BFD_TRIAL_BOUND_MS = 5_000;
const HOLD_TRIAL_BOUND_MS = (HOLD_SECONDS + 6) * 1000;
/** The path back after the link comes up (connect-retry 1 s, reconnect backoff, BFD first). */
const RECOVERY_BOUND_MS = 60_000;
const NODES = { worker: TOPOLOGY.worker, pi4: TOPOLOGY.pi4 } as const;

export interface BfdFailoverOptions {
  /** Trials with BFD (default 20). */
  trials?: number;
  /** Trials without BFD (default: trials). */
  holdTrials?: number;
  /** Also measure the CPU of an idle agent with 4 BFD sessions (adds about 1.5 minutes). */
  idle?: boolean;
  idleSeconds?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface CaseStats {
  trials: number;
  /** Trials whose path was still there at the bound. */
  timeouts: number;
  samplesMs: number[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  minMs: number;
}

export interface BfdFailoverReport {
  bench: 'failover-bfd';
  pollMs: number;
  bfd: CaseStats & { detectMultiplier: number; intervalMs: number; targetP99Ms: number; ok: boolean };
  hold: CaseStats & { holdSeconds: number; keepaliveSeconds: number };
  /** hold / bfd, at p50 and at p99. */
  ratioP50: number;
  ratioP99: number;
  idle?: {
    /** The second window: the JIT has settled (the figure compared with the target). */
    cpuPercent: number;
    /** The first window, right after the warm-up (JIT tier-up still running). */
    firstWindowPercent: number;
    targetPercent: number;
    ok: boolean;
    line: string;
  };
}
export type Report = BfdFailoverReport;

function stats(samples: number[], trials: number): CaseStats {
  return {
    trials,
    timeouts: trials - samples.length,
    samplesMs: samples.map((s) => Math.round(s)),
    p50Ms: Math.round(quantile(samples, 0.5)),
    p99Ms: Math.round(quantile(samples, 0.99)),
    maxMs: samples.length ? Math.round(Math.max(...samples)) : Number.NaN,
    minMs: samples.length ? Math.round(Math.min(...samples)) : Number.NaN,
  };
}

interface World {
  lan: Lan;
  frr: FrrBfd;
  vty: FrrVty;
  nodes: EdgeNode[];
  close(): Promise<void>;
}

async function startWorld(bfd: boolean): Promise<World> {
  const lan = await createLan({ family: 'bfdf', hosts: { router: TOPOLOGY.router, ...NODES } });
  const nodes: EdgeNode[] = [];
  let frr: FrrBfd | undefined;
  let vty: FrrVty | undefined;
  const close = async () => {
    vty?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await frr?.stop();
    await lan.destroy();
  };
  try {
    const timers = { holdSeconds: HOLD_SECONDS, keepaliveSeconds: KEEPALIVE_SECONDS };
    frr = await startBfdRouter({
      lan,
      host: 'router',
      address: TOPOLOGY.router.v4,
      nodes: Object.values(NODES).map((n) => n.v4),
      bfd,
      ...timers,
    });
    vty = await FrrVty.connect(join(frr.dir, 'bgpd.vty'));
    for (const host of Object.keys(NODES))
      nodes.push(await startEdgeNode({ lan, host, peers: [TOPOLOGY.router.v4], bfd, ...timers }));
    const w: World = { lan, frr, vty, nodes, close };
    for (const n of nodes) await recovered(w, n, bfd);
    return w;
  } catch (err) {
    await close();
    throw err;
  }
}

/** One vty socket, one command at a time (parallel trials share it): a promise chain. */
let vtyQueue: Promise<unknown> = Promise.resolve();
const vtyCommand = (w: World, cmd: string): Promise<string> => {
  const next = vtyQueue.then(() => w.vty.command(cmd));
  vtyQueue = next.catch(() => {});
  return next;
};
const peersOf = (w: World) => pathPeers((c) => vtyCommand(w, c), SERVICE_PREFIX);

/** The node's path is back at the router (and, with BFD, the session Up at 300 ms again). */
async function recovered(w: World, n: EdgeNode, bfd: boolean): Promise<void> {
  await waitFor(`path of ${n.host} back`, async () => (await peersOf(w)).includes(n.address), {
    timeoutMs: RECOVERY_BOUND_MS,
    intervalMs: 100,
  }).catch(async (err: Error) => {
    throw new Error(
      `${err.message}\n${await w.frr.vtysh('show bgp summary').catch(() => '')}\nagent log:\n${n.agent.log().slice(-2000)}`,
    );
  });
  if (bfd)
    await w.frr.waitPeer(
      n.address,
      (p) => p.status === 'up' && p['remote-transmit-interval'] === 300 && p['transmit-interval'] === 300,
      'up at 300 ms',
      RECOVERY_BOUND_MS,
    );
}

/** One silent death: ms from the link going down to the path gone, or undefined at the bound. */
async function trial(w: World, n: EdgeNode, bfd: boolean): Promise<number | undefined> {
  // Land anywhere in the phase of the TX interval / keepalive period.
  await sleep(Math.random() * (bfd ? 300 : KEEPALIVE_SECONDS * 1000));
  const bound = bfd ? BFD_TRIAL_BOUND_MS : HOLD_TRIAL_BOUND_MS;
  const t0 = performance.now();
  await run(['ip', '-n', w.lan.ns(n.host), 'link', 'set', 'eth0', 'down'], { timeoutMs: 5000 });
  let gone: number | undefined;
  // Bounded: bound / POLL_MS polls at most.
  for (let i = 0; i <= bound / POLL_MS; i++) {
    if (!(await peersOf(w)).includes(n.address)) {
      gone = performance.now() - t0;
      break;
    }
    await sleep(POLL_MS - ((performance.now() - t0) % POLL_MS));
  }
  await run(['ip', '-n', w.lan.ns(n.host), 'link', 'set', 'eth0', 'up'], { timeoutMs: 5000 });
  await recovered(w, n, bfd);
  return gone;
}

async function runCase(bfd: boolean, trials: number, log: (l: string) => void): Promise<number[]> {
  const w = await startWorld(bfd);
  const label = bfd ? 'bfd' : 'hold';
  const samples: number[] = [];
  const one = async (n: EdgeNode, i: number) => {
    const ms = await trial(w, n, bfd);
    if (ms !== undefined) samples.push(ms);
    log(`  ${label} #${i + 1} ${n.host}: ${ms === undefined ? 'TIMEOUT' : `${Math.round(ms)} ms`}`);
  };
  try {
    if (bfd) {
      // One at a time, alternating nodes: the detection is the figure, keep the CPU quiet.
      for (let i = 0; i < trials; i++) await one(w.nodes[i % w.nodes.length]!, i);
    } else {
      // Each trial waits ~9 s for the hold timer: both nodes' trials run side by side.
      await Promise.all(
        w.nodes.map(async (n, k) => {
          for (let i = k; i < trials; i += w.nodes.length) await one(n, i);
        }),
      );
    }
  } finally {
    await w.close();
  }
  return samples;
}

const R2 = { v4: '192.168.2.3', v6: 'fd00:2::3' };
const IDLE_WARMUP_MS = 10_000;

/**
 * An idle agent with 4 BFD sessions at 300 ms: the worker peers with two routers (.1 and
 * .3) over IPv4 and IPv6 (FRR keeps one single-hop session per peer address, so four
 * sessions need two routers), all four BGP sessions Established and BFD Up at 300 ms, then
 * utime+stime of the agent process over two windows after a 10 s warm-up (one tick = 10 ms):
 * the first still carries the JIT's tier-up of code that runs a few times a second, the
 * second is the steady figure compared with the target (and no BFD flap may happen meanwhile).
 */
async function agentIdleCpu(seconds: number, log: (l: string) => void): Promise<BfdFailoverReport['idle']> {
  const W = NODES.worker;
  const lan = await createLan({ family: 'bfdi', hosts: { router: TOPOLOGY.router, r2: R2, worker: W } });
  const routers: FrrBfd[] = [];
  let node: EdgeNode | undefined;
  try {
    for (const [host, addr] of [
      ['router', TOPOLOGY.router],
      ['r2', R2],
    ] as const)
      routers.push(await startBfdRouter({ lan, host, address: addr.v4, nodes: [W.v4, W.v6], bfd: true }));
    const peers = [TOPOLOGY.router.v4, TOPOLOGY.router.v6, R2.v4, R2.v6];
    node = await startEdgeNode({ lan, host: 'worker', peers, bfd: true });
    const n = node;
    await waitFor(
      '4 BGP sessions Established with BFD Up at 300 ms',
      async () => {
        const st = await n.status();
        const ok = st?.bgp.peers.filter(
          (p) => p.state === 'Established' && p.bfd?.state === 'Up' && p.bfd.txIntervalMs === 300,
        );
        return ok?.length === 4 ? true : undefined;
      },
      { timeoutMs: RECOVERY_BOUND_MS, intervalMs: 200 },
    ).catch(async (err: Error) => {
      throw new Error(
        `${err.message}\n${JSON.stringify((await n.status())?.bgp)}\n${n.agent.log().slice(-2000)}`,
      );
    });
    log(`  idle: 4 sessions Up; warm-up ${IDLE_WARMUP_MS / 1000} s, then two windows of ${seconds} s`);
    await sleep(IDLE_WARMUP_MS);
    const pid = n.agent.pid;
    const flaps = async () =>
      ((await n.status())?.bgp.peers ?? []).reduce((sum, p) => sum + (p.bfd?.flaps ?? 0), 0);
    const flaps0 = await flaps();
    const first = await cpuWindow(pid, seconds);
    const steady = await cpuWindow(pid, seconds);
    const flapsInWindows = (await flaps()) - flaps0;
    const after = (await n.status())?.bgp.peers.map((p) => `${p.address} ${p.bfd?.state}`);
    return {
      cpuPercent: steady.percent,
      firstWindowPercent: first.percent,
      targetPercent: IDLE_CPU_TARGET_PERCENT,
      ok: steady.percent < IDLE_CPU_TARGET_PERCENT && flapsInWindows === 0,
      line:
        `first ${seconds} s window ${first.percent} % (${first.threads}); steady window by thread: ${steady.threads}; ` +
        `BFD flaps during the windows: ${flapsInWindows}; agent RSS ${rssMiB(pid).toFixed(1)} MiB; after: ${after?.join(', ')}`,
    };
  } finally {
    await node?.stop();
    for (const r of routers) await r.stop();
    await lan.destroy();
  }
}

/** CPU of a process over a window (utime+stime / wall time; one tick = 10 ms), in total and by thread. */
async function cpuWindow(pid: number, seconds: number): Promise<{ percent: number; threads: string }> {
  const hz = clockTicks();
  const t0 = cpuTicks(pid);
  const th0 = threadTicks(pid);
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - w0) / 1000;
  const percent = Math.round((10_000 * (cpuTicks(pid) - t0)) / hz / wall) / 100;
  const threads = [...threadTicks(pid)]
    .map(([name, t]) => [name, t - (th0.get(name) ?? 0)] as const)
    .filter(([, t]) => t > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, t]) => `${name} ${((100 * t) / hz / wall).toFixed(2)}`)
    .join(', ');
  return { percent, threads };
}

export async function runBfdFailover(opts: BfdFailoverOptions = {}): Promise<BfdFailoverReport> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const trials = opts.trials ?? DEFAULT_TRIALS;
  const holdTrials = opts.holdTrials ?? trials;
  log(`failover-bfd: ${trials} silent deaths with BFD (300 ms x 3)`);
  const bfdSamples = await runCase(true, trials, log);
  log(`failover-bfd: ${holdTrials} silent deaths without BFD (hold ${HOLD_SECONDS} s)`);
  const holdSamples = await runCase(false, holdTrials, log);
  const bfd = stats(bfdSamples, trials);
  const hold = stats(holdSamples, holdTrials);
  const report: BfdFailoverReport = {
    bench: 'failover-bfd',
    pollMs: POLL_MS,
    bfd: {
      ...bfd,
      detectMultiplier: 3,
      intervalMs: 300,
      targetP99Ms: BFD_P99_TARGET_MS,
      ok: bfd.timeouts === 0 && bfd.p99Ms <= BFD_P99_TARGET_MS,
    },
    hold: { ...hold, holdSeconds: HOLD_SECONDS, keepaliveSeconds: KEEPALIVE_SECONDS },
    ratioP50: Math.round((10 * hold.p50Ms) / bfd.p50Ms) / 10,
    ratioP99: Math.round((10 * hold.p99Ms) / bfd.p99Ms) / 10,
  };
  if (opts.idle) {
    log(`failover-bfd: idle CPU of an agent with 4 BFD sessions at 300 ms`);
    report.idle = await agentIdleCpu(opts.idleSeconds ?? 30, log);
  }
  return report;
}

/** The report as the rows of bench:failover's table. */
export function bfdFailoverRows(r: BfdFailoverReport): Row[] {
  const ms = (figure: string, value: number, target?: Row['target'], note?: string): Row => ({
    figure,
    value: value / 1000,
    unit: 's',
    target,
    note,
  });
  const bfdNote = `${r.bfd.trials} trials, ${r.bfd.timeouts} timeouts`;
  const holdNote = `${r.hold.trials} trials, ${r.hold.timeouts} timeouts`;
  const rows: Row[] = [
    ms('BFD 300 ms x 3: p50', r.bfd.p50Ms, undefined, bfdNote),
    ms('BFD 300 ms x 3: p99', r.bfd.p99Ms, { text: '<= 1.0 s', ok: (v) => v <= BFD_P99_TARGET_MS / 1000 }),
    ms('BFD 300 ms x 3: max', r.bfd.maxMs),
    ms(`hold ${r.hold.holdSeconds} s: p50`, r.hold.p50Ms, undefined, holdNote),
    ms(`hold ${r.hold.holdSeconds} s: p99`, r.hold.p99Ms),
    ms(`hold ${r.hold.holdSeconds} s: max`, r.hold.maxMs),
    { figure: 'hold / BFD at p50', value: r.ratioP50, unit: 'x' },
    { figure: 'hold / BFD at p99', value: r.ratioP99, unit: 'x' },
  ];
  if (r.idle)
    rows.push(
      {
        figure: 'idle agent CPU, first window after warm-up',
        value: r.idle.firstWindowPercent,
        unit: '% of a core',
      },
      {
        figure: 'idle agent CPU, 4 BFD sessions @300 ms (steady)',
        value: r.idle.cpuPercent,
        unit: '% of a core',
        target: { text: `< ${r.idle.targetPercent} %`, ok: (v) => v < r.idle!.targetPercent },
        note: r.idle.line,
      },
    );
  return rows;
}

export function formatBfdFailover(r: BfdFailoverReport): string {
  return `Silent death to path removed at the router (poll ${r.pollMs} ms)\n${formatTable(bfdFailoverRows(r))}`;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const why = missing({
    root: true,
    tools: ['ip', 'curl', 'vtysh', '/usr/lib/frr/bfdd', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'],
  });
  if (why) {
    console.log(`failover-bfd skipped: ${why}`);
    return;
  }
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const trials = num(arg('trials'));
  const report = await runBfdFailover({
    trials,
    holdTrials: num(arg('hold-trials')) ?? trials,
    idle: process.argv.includes('--idle'),
    idleSeconds: num(arg('idle-seconds')),
  });
  console.log(formatBfdFailover(report));
  console.log(JSON.stringify(report));
}

if (import.meta.main) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
