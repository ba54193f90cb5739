/**
 * `bun test/bench/bfd-idle.bench.ts [--seconds 30]` — CPU and memory of an idle edgelb
 * process holding 4 BFD sessions at 300 ms × 3 (target: < 1 % of one core). Not a test:
 * prints a table and exits 0 even when the target is missed.
 *
 * Lab: a LAN of network namespaces (test/support/netns.ts). Two routers (192.168.2.1 and .3,
 * with fd00:2::1 and ::3) each run FRR zebra + bfdd with static single-hop peers toward the
 * worker's IPv4 and IPv6 addresses (FRR 8.4 keeps one single-hop session per peer address,
 * so four sessions need two routers). The worker runs test/bfd/bfd-main.ts (quiet: no status
 * lines) with the four sessions.
 * Once FRR shows all four Up at 300 ms, utime+stime of the worker process is read from
 * /proc/PID/stat over the window (resolution one tick, 10 ms). For comparison the same with
 * an extra steady receive drain timer at 100 ms (as before the timer wheel), and bare Bun
 * processes: idle, with only a timer at the wheel's period (about 240 ms with 4 sessions),
 * and with a 20 ms timer (what a fixed-period drain costs by itself).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { DRAIN_INTERVAL_MS } from '../../agent/bfd/transport.ts';
import { startBfdMain } from '../bfd/bfd-main.ts';
import { missing } from '../support/env.ts';
import { startFrrBfd } from '../support/frr-bfd.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { sleep } from '../support/proc.ts';
import { clockTicks, cpuTicks, rssMiB, threadTicks } from './support/proc-stats.ts';

const R2 = { v4: '192.168.2.3', v6: 'fd00:2::3' };
const ROUTER_ADDRESSES = [TOPOLOGY.router.v4, TOPOLOGY.router.v6, R2.v4, R2.v6];
const W = TOPOLOGY.worker;
const WARMUP_MS = 10_000;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function cpuPercent(pid: number, seconds: number): Promise<{ total: number; threads: string }> {
  const hz = clockTicks();
  const t0 = cpuTicks(pid);
  const th0 = threadTicks(pid);
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const ticks = cpuTicks(pid) - t0;
  const wall = (performance.now() - w0) / 1000;
  const threads = [...threadTicks(pid)]
    .map(([n, t]) => [n, t - (th0.get(n) ?? 0)] as const)
    .filter(([, t]) => t > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([n, t]) => `${n} ${((100 * t) / hz / wall).toFixed(2)}`)
    .join(', ');
  return { total: (100 * ticks) / hz / wall, threads };
}

/** The steady receive drain of earlier versions (a timer of its own), for comparison. */
const OLD_STEADY_DRAIN_MS = 100;
/** About the wheel's period with 4 sessions at 300 ms (the earliest of 4 jittered deadlines). */
const WHEEL_PERIOD_MS = 240;

function startEdge(lan: Lan, idleDrainIntervalMs: number | undefined) {
  const edge = startBfdMain(
    lan,
    'worker',
    {
      quiet: true,
      logLevel: 'warn',
      idleDrainIntervalMs,
      peers: ROUTER_ADDRESSES.map((peer) => ({ peer, profile: { ...DEFAULT_BFD_PROFILE } })),
    },
    `bfd-${idleDrainIntervalMs ?? 'wheel'}`,
  );
  return edge;
}

async function main() {
  const why = missing({ root: true, tools: ['ip', 'vtysh', '/usr/lib/frr/bfdd'] });
  if (why) {
    console.log(`bfd-idle bench skipped: ${why}`);
    return;
  }
  const seconds = arg('seconds', 30);
  const lan = await createLan({
    family: 'bfdb',
    hosts: { router: TOPOLOGY.router, r2: R2, worker: TOPOLOGY.worker },
  });
  const rows: [string, string, string][] = [];
  try {
    const peers = [W.v4, W.v6].map((address) => ({
      address,
      receiveMs: 300,
      transmitMs: 300,
      detectMultiplier: 3,
    }));
    const routers = [await startFrrBfd(lan, 'router', { peers }), await startFrrBfd(lan, 'r2', { peers })];
    const frr = { peers: async () => (await Promise.all(routers.map((r) => r.peers()))).flat() };
    for (const drain of [undefined, OLD_STEADY_DRAIN_MS]) {
      const edge = startEdge(lan, drain);
      const upAt300 = async () => {
        const ps = await frr.peers();
        return ps.length === 4 && ps.every((p) => p.status === 'up' && p['remote-transmit-interval'] === 300);
      };
      for (let i = 0; i < 200 && !(await upAt300()); i++) await sleep(100);
      if (!(await upAt300()))
        throw new Error(`sessions not Up: ${JSON.stringify(await frr.peers())}\n${edge.proc.log()}`);
      // Let the JIT settle (its compiler thread shows up in the first seconds).
      await sleep(WARMUP_MS);
      const cpu = await cpuPercent(edge.proc.pid, seconds);
      const before = await frr.peers();
      rows.push([
        drain === undefined
          ? '4 sessions @300 ms (default: wheel only)'
          : `4 sessions @300 ms, + drain timer ${drain} ms`,
        `${cpu.total.toFixed(2)} % of one core`,
        `RSS ${rssMiB(edge.proc.pid).toFixed(1)} MiB; sessions not up after the window: ${before.filter((p) => p.status !== 'up').length}; by thread: ${cpu.threads}`,
      ]);
      await edge.stop();
      await sleep(1500);
    }
    // Floors: a bare Bun process, idle, with only the wheel's period, and with a 20 ms timer.
    for (const [label, period] of [
      ['bare Bun, idle', 1e9],
      [`bare Bun, ${WHEEL_PERIOD_MS} ms timer only`, WHEEL_PERIOD_MS],
      [`bare Bun, ${DRAIN_INTERVAL_MS} ms timer only`, DRAIN_INTERVAL_MS],
    ] as const) {
      const floor = join(lan.dir, `floor-${period}.ts`);
      writeFileSync(floor, `setInterval(() => {}, ${period});\n`);
      const p = lan.spawn('worker', [process.execPath, floor], { name: `floor-${period}` });
      await sleep(2000);
      const cpu = await cpuPercent(p.pid, seconds);
      rows.push([
        label,
        `${cpu.total.toFixed(2)} % of one core`,
        `RSS ${rssMiB(p.pid).toFixed(1)} MiB; by thread: ${cpu.threads}`,
      ]);
      await p.stop();
    }
    for (const r of routers) await r.stop();
  } finally {
    await lan.destroy();
  }
  console.log(`\nBFD idle (window ${seconds} s, target < 1 % of one core)`);
  for (const r of rows) console.log(`  ${r[0].padEnd(40)} ${r[1].padEnd(22)} ${r[2]}`);
}

if (import.meta.main) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
