/**
 * `bun run bench:agent` — the compiled agent (dist/edgelb-linux-x64) against FRR and the test
 * API server in network namespaces (see support/agent-world.ts). Not a test: it prints a table
 * of figures next to their targets and exits 0 even when a target is missed.
 *
 * Figures and methods:
 * - ready: from just before spawning `ip netns exec <ns> edgelb run` until GET /readyz returns
 *   200, polled every 5 ms from the root namespace (so ≤ ~6 ms resolution); the readiness
 *   condition includes the BGP session to FRR being Established. Before each run FRR's
 *   neighbour is back in Active, so a run never waits for a connect retry caused by the last.
 * - idle RSS: VmRSS after the agent has been ready and idle for 10 s, and again after the CPU window,
 *   with its anonymous and file-backed parts (RssAnon, RssFile) and whether BFD and L2 ran.
 * - BFD and L2 mode are on in both modes (support/agent-world.ts: a BFDProfile on the
 *   neighbor, an L2AnnouncementPolicy for the pool on eth0).
 * - idle CPU: utime+stime from /proc/PID/stat over the idle window, as % of one core
 *   (resolution one clock tick = 10 ms, i.e. 0.017 % over 60 s).
 * - create-to-route: Services created one at a time in the API server's store (the in-process
 *   equivalent of a POST: the watch event leaves at once); then, every ~1 ms, the Service's
 *   status is read in process and FRR is asked for the /32 over bgpd's vty socket (~0.06 ms a
 *   call). The route time is the end of the first poll that sees the path (resolution ~1.1 ms).
 * - 10k: N Services created at once (chunks of 500); time until every one has an IP in status
 *   and until FRR holds every /32; VmRSS after 10 s settling, and VmHWM (peak).
 *
 * Options: --runs 5  --idle-seconds 60  --route-services 200  --scale-services 10000
 *          --modes files,kubernetes
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { missing } from '../support/env.ts';
import { type Proc, sleep, waitFor } from '../support/proc.ts';
import {
  BINARY,
  benchService,
  binaryMissing,
  filesWorld,
  HTTP_URL,
  kubeWorld,
  NAMESPACE,
  NET,
  type World,
} from './support/agent-world.ts';
import { FrrVty } from './support/frr-vty.ts';
import { clockTicks, cpuTicks, exePath, peakRssMiB, rssMiB, rssParts } from './support/proc-stats.ts';
import { formatTable, median, quantile, type Row } from './support/stats.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

const RUNS = Number(arg('runs', '5'));
const IDLE_S = Number(arg('idle-seconds', '60'));
const ROUTE_N = Number(arg('route-services', '200'));
const SCALE_N = Number(arg('scale-services', '10000'));
const MODES = arg('modes', 'files,kubernetes').split(',');
const SETTLE_MS = 10_000;

const rows: Row[] = [];
const MB = (limit: number) => ({ text: `<= ${limit} MB`, ok: (v: number) => v <= limit });
const ms = (limit: number) => ({ text: `<= ${limit} ms`, ok: (v: number) => v <= limit });
const say = (s: string) => process.stderr.write(`${s}\n`);

async function neighborState(vty: FrrVty): Promise<string> {
  const d = JSON.parse(await vty.command(`show bgp neighbors ${NET.node.v4} json`)) as Record<
    string,
    { bgpState?: string }
  >;
  return d[NET.node.v4]?.bgpState ?? '';
}

/** JS heap in use (process_heap_bytes from /metrics), MiB. */
async function heapMiB(): Promise<number> {
  try {
    const text = await (await fetch(`${HTTP_URL}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^process_heap_bytes\s+(\S+)/m.exec(text);
    return m ? Number(m[1]) / 1024 / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Threads of a process (/proc/PID/status), for TasksMax. */
function threads(pid: number): number {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return Number.NaN;
  }
}

/** "anon A, file F, JS heap H, T threads" for a note. */
async function breakdown(pid: number): Promise<string> {
  const p = rssParts(pid);
  return `anon ${p.anon.toFixed(1)} + file ${p.file.toFixed(1)}; JS heap ${(await heapMiB()).toFixed(1)}; ${threads(pid)} threads`;
}

/** "L2 owns N IPs, BFD peers: state" from /status, to show BFD and L2 mode were on. */
async function bfdL2(): Promise<string> {
  try {
    const st = (await (await fetch(`${HTTP_URL}/status`, { signal: AbortSignal.timeout(5000) })).json()) as {
      l2?: { active: boolean; owned: unknown[] };
      bgp?: { peers?: { address: string; bfd?: { state?: string } }[] };
    };
    const bfd = (st.bgp?.peers ?? []).map((p) => `${p.address} ${p.bfd?.state ?? 'none'}`).join(', ');
    return `L2 ${st.l2?.active ? `on, ${st.l2.owned.length} IPs owned` : 'off'}; BFD ${bfd || 'none'}`;
  } catch (err) {
    return `status: ${(err as Error).message}`;
  }
}

async function readyz(): Promise<number> {
  try {
    const r = await fetch(`${HTTP_URL}/readyz`, { signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Starts the agent RUNS times; all but the last are stopped. Returns the last (running) one. */
async function readyRuns(w: World, vty: FrrVty, mode: string): Promise<Proc> {
  const times: number[] = [];
  let agent: Proc | undefined;
  for (let i = 0; i < RUNS; i++) {
    await waitFor(
      'FRR neighbour Active before a start',
      async () => (await neighborState(vty)) === 'Active',
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    const t0 = performance.now();
    agent = w.startAgent(`${mode}-${i}`);
    const started = agent;
    const t1 = await waitFor(
      `/readyz 200 (${mode} run ${i})`,
      async () => {
        if (!started.running()) throw new Error(`agent exited: ${started.log().slice(-1500)}`);
        return (await readyz()) === 200 ? performance.now() : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 5 },
    );
    if (i === 0) say(`  ${mode}: PID ${agent.pid} runs ${exePath(agent.pid)}`);
    times.push(t1 - t0);
    say(`  ${mode} ready run ${i}: ${(t1 - t0).toFixed(1)} ms`);
    if (i < RUNS - 1) await agent.stop(5000);
  }
  rows.push({
    figure: `ready (${mode}), median of ${RUNS}`,
    value: median(times),
    unit: 'ms',
    target: ms(1000),
    note: `min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)} ms`,
  });
  return agent!;
}

async function idle(w: World, agent: Proc, mode: string, what: string): Promise<void> {
  await sleep(SETTLE_MS);
  const reqs0 = w.api?.requests.length ?? 0;
  const rssBefore = rssMiB(agent.pid);
  const hz = clockTicks();
  const c0 = cpuTicks(agent.pid);
  const t0 = performance.now();
  await sleep(IDLE_S * 1000);
  const c1 = cpuTicks(agent.pid);
  const seconds = (performance.now() - t0) / 1000;
  const rssAfter = rssMiB(agent.pid);
  const reqs = w.api?.requests.slice(reqs0) ?? [];
  const leases = reqs.filter((r) => r.path.includes('/leases/')).length;
  const apiNote = w.api ? `; ${reqs.length} API requests (${leases} on the Lease)` : '';
  if (!agent.running()) throw new Error(`agent exited while idle: ${agent.log().slice(-1500)}`);
  rows.push({
    figure: `idle RSS (${mode}, ${what})`,
    value: rssAfter,
    unit: 'MB',
    target: MB(50),
    note: `MiB (${rssBefore.toFixed(1)} after 10 s idle); ${await breakdown(agent.pid)}; ${await bfdL2()}`,
  });
  rows.push({
    figure: `idle CPU (${mode}) over ${IDLE_S} s`,
    value: ((c1 - c0) / hz / seconds) * 100,
    unit: '%',
    target: { text: '< 1 %', ok: (v) => v < 1 },
    note: `${c1 - c0} ticks of 1/${hz} s${apiNote}`,
  });
}

async function createToRoute(w: World, vty: FrrVty): Promise<void> {
  const api = w.api!;
  const toStatus: number[] = [];
  const toRoute: number[] = [];
  for (let i = 0; i < ROUTE_N; i++) {
    const name = `route-${i}`;
    const t0 = performance.now();
    api.create(benchService(name));
    let ip: string | undefined;
    let tStatus = 0;
    const deadline = t0 + 10_000;
    for (;;) {
      if (!ip) {
        ip = api.get('v1', 'Service', NAMESPACE, name)?.status?.loadBalancer?.ingress?.[0]?.ip;
        if (ip) tStatus = performance.now();
      }
      if (ip && (await vty.pathCount(`${ip}/32`)) > 0) break;
      if (performance.now() > deadline) throw new Error(`no route for ${name} (${ip ?? 'no IP'}) in 10 s`);
      await sleep(1);
    }
    const tRoute = performance.now();
    toStatus.push(tStatus - t0);
    toRoute.push(tRoute - t0);
    await sleep(10);
  }
  const p = (v: number[], q: number) => quantile(v, q);
  rows.push({
    figure: `create-to-route p50 (${ROUTE_N} Services)`,
    value: p(toRoute, 0.5),
    unit: 'ms',
    note: `mean ${(toRoute.reduce((a, b) => a + b, 0) / toRoute.length).toFixed(1)}, max ${Math.max(...toRoute).toFixed(1)} ms`,
  });
  rows.push({ figure: 'create-to-route p99', value: p(toRoute, 0.99), unit: 'ms', target: ms(100) });
  rows.push({
    figure: 'create-to-status p50 / p99',
    value: p(toStatus, 0.5),
    unit: 'ms',
    note: `p99 ${p(toStatus, 0.99).toFixed(1)} ms (IP in Service status); status-to-route p50 ${p(
      toRoute.map((r, i) => r - toStatus[i]!),
      0.5,
    ).toFixed(1)} ms`,
  });
}

async function scale(w: World, vty: FrrVty, agent: Proc): Promise<void> {
  const api = w.api!;
  const before = api.list('v1', 'Service', NAMESPACE).length;
  const total = before + SCALE_N;
  const t0 = performance.now();
  for (let i = 0; i < SCALE_N; i++) {
    api.create(benchService(`scale-${i}`));
    if (i % 500 === 499) await sleep(0);
  }
  const tCreated = performance.now();
  say(`  created ${SCALE_N} Services in ${(tCreated - t0).toFixed(0)} ms`);
  const withStatus = () =>
    api.list('v1', 'Service', NAMESPACE).filter((s) => s.status?.loadBalancer?.ingress?.length).length;
  const tStatus = await waitFor(
    `${total} Services with status`,
    () => {
      if (!agent.running()) throw new Error(`agent exited: ${agent.log().slice(-1500)}`);
      return withStatus() === total ? performance.now() : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 500 },
  );
  say(`  all ${total} have status after ${((tStatus - t0) / 1000).toFixed(1)} s`);
  const received = async () => {
    const d = JSON.parse(await vty.command('show bgp ipv4 unicast summary json')) as {
      peers?: Record<string, { pfxRcd?: number }>;
    };
    return d.peers?.[NET.node.v4]?.pfxRcd ?? 0;
  };
  // The demo-sized Services of the earlier phases are routes too (3 + ROUTE_N + SCALE_N).
  const tRoutes = await waitFor(
    `FRR holding ${total} prefixes`,
    async () => {
      return (await received()) >= total ? performance.now() : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 100 },
  );
  await sleep(SETTLE_MS);
  const rss = rssMiB(agent.pid);
  rows.push({
    figure: `RSS with ${total} Services (settled)`,
    value: rss,
    unit: 'MB',
    target: MB(100),
    note: `MiB; peak (VmHWM) ${peakRssMiB(agent.pid).toFixed(1)}; ${await breakdown(agent.pid)}; ${await bfdL2()}`,
  });
  rows.push({
    figure: `${SCALE_N} Services: all IPs in status`,
    value: (tStatus - t0) / 1000,
    unit: 's',
    note: `from the first create; all routes at FRR after ${((tRoutes - t0) / 1000).toFixed(1)} s`,
  });
}

async function withWorld(make: () => Promise<World>, body: (w: World, vty: FrrVty) => Promise<void>) {
  const w = await make();
  cleanups.add(w.destroy);
  let vty: FrrVty | undefined;
  try {
    vty = await FrrVty.connect(join(w.frr.dir, 'bgpd.vty'));
    await body(w, vty);
  } finally {
    vty?.close();
    await w.destroy();
    cleanups.delete(w.destroy);
  }
}

const cleanups = new Set<() => Promise<void>>();
async function cleanupAll() {
  for (const c of cleanups) await c().catch(() => {});
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    say(`\n${sig}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const why =
    missing({ root: true, tools: ['ip', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'] }) ?? binaryMissing();
  if (why) {
    say(`bench:agent skipped: ${why}`);
    return 1;
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  say(`bench:agent: ${BINARY} (${(Bun.file(BINARY).size / 1e6).toFixed(0)} MB), load ${load}`);
  const started = performance.now();
  if (MODES.includes('files')) {
    say('files mode (demo manifests, FRR as the peer)');
    await withWorld(filesWorld, async (w, vty) => {
      const agent = await readyRuns(w, vty, 'files');
      await idle(w, agent, 'files', 'demo manifests');
      await agent.stop(5000);
    });
  }
  if (MODES.includes('kubernetes')) {
    say('kubernetes mode (test API server, one agent, leader)');
    await withWorld(kubeWorld, async (w, vty) => {
      for (let i = 0; i < 3; i++) w.api!.create(benchService(`idle-${i}`));
      const agent = await readyRuns(w, vty, 'kubernetes');
      await idle(w, agent, 'kubernetes', '3 Services');
      if (ROUTE_N > 0) await createToRoute(w, vty);
      if (SCALE_N > 0) await scale(w, vty, agent);
      await agent.stop(10_000);
    });
  }
  const end = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(`\n${formatTable(rows)}\n`);
  say(
    `\n(${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${end}; 1 MB here = 1 MiB)`,
  );
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  say(`bench:agent failed: ${(err as Error).stack ?? err}`);
  if (rows.length) process.stdout.write(`\npartial results:\n${formatTable(rows)}\n`);
} finally {
  await cleanupAll();
}
process.exit(code);
