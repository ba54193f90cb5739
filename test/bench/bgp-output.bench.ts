/**
 * `bun test/bench/bgp-output.bench.ts` — the output-side hostile cases of issue 26 at full length,
 * on loopback (no lab lock): a real Speaker with a well-behaved collector (`good`) and a raw peer.
 *
 *   refresh-reads / refresh-stalled: 5,000 prefixes announced, a ROUTE-REFRESH every 10 ms for
 *     60 s from a peer that reads everything / that stopped reading; RSS at 15 s and at 60 s.
 *   churn-hold0 / churn-hold90: 100,000 prefixes swapped for another 100,000 every second for
 *     60 s toward a peer that stopped reading; the largest user-space queue, pending changes,
 *     heap after GC and RSS (the RFC SendHoldTime of 8 minutes is not reached in 60 s).
 *
 * Options: --seconds 60  --cases refresh-reads,refresh-stalled,churn-hold0,churn-hold90
 */
import { heapStats } from 'bun:jsc';
import { GOOD_PREFIXES, hostilePeer, peerState, startWorld, until, type World } from '../hostile/harness.ts';
import { StallPeer } from '../hostile/stall-peer.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

function table(n: number, second = 0): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = `${10 + second}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
  return out;
}

const rssMB = () => process.memoryUsage().rss / 1e6;
const heapMB = () => {
  Bun.gc(true);
  return heapStats().heapSize / 1e6;
};

async function setup(hold: number, prefixes: string[]): Promise<{ w: World; p: StallPeer }> {
  const w = await startWorld();
  const p = new StallPeer(hold);
  const port = await p.listen();
  w.speaker.setAdvertisements(
    new Map([
      ['good', GOOD_PREFIXES],
      ['hostile', prefixes],
    ]),
  );
  w.speaker.setPeers([w.peers[0]!, hostilePeer(port, { holdTimeSeconds: hold, keepAliveTimeSeconds: 3 })]);
  await until('Established', () => p.established && peerState(w, 'hostile').state === 'Established', 10_000);
  await until('the table', () => peerState(w, 'hostile').advertised === prefixes.length, 30_000);
  return { w, p };
}

function goodOk(w: World): string {
  const g = peerState(w, 'good');
  const same = w.speaker.session('good')!.establishedAt === w.goodSince;
  const bad = w.events.filter((e) => e.event === 'down' || e.event === 'withdraw').length;
  return g.state === 'Established' && same && bad === 0
    ? 'unaffected'
    : `AFFECTED (${g.state}, ${bad} withdraw/down)`;
}

async function refresh(reads: boolean, seconds: number): Promise<string> {
  const { w, p } = await setup(90, table(5000));
  try {
    if (!reads) p.stopReading();
    p.refreshEvery(10);
    const s = w.speaker.session('hostile')!;
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const bytes0 = p.received;
    const t15 = Math.min(15, seconds / 4) * 1000;
    await Bun.sleep(t15);
    const at15 = rssMB();
    let peak = at15;
    while (Date.now() - t0 < seconds * 1000) {
      await Bun.sleep(1000);
      peak = Math.max(peak, rssMB());
    }
    const end = rssMB();
    const took = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const share = ((cpu.user + cpu.system) / 1e6 / took) * 100;
    return `| refresh, peer ${reads ? 'reads' : 'stalled'} | ${at15.toFixed(1)} | ${end.toFixed(1)} (peak ${peak.toFixed(1)}) | ${(end - at15).toFixed(1)} | ${((p.received - bytes0) / took / 1000).toFixed(1)} kB/s read, ${s.refreshesCoalesced} of ~${Math.round(took * 100)} requests coalesced, queued ${s.queuedBytes} B, CPU ${share.toFixed(1)} % of a core (whole process) | ${s.state} | ${goodOk(w)} |`;
  } finally {
    p.stop();
    await w.stop();
  }
}

async function churn(hold: number, seconds: number): Promise<string> {
  const a = table(100_000);
  const b = table(100_000, 1);
  const { w, p } = await setup(hold, a);
  try {
    const s = w.speaker.session('hostile')!;
    p.stopReading();
    const heap0 = heapMB();
    const rss0 = rssMB();
    let maxQueued = 0;
    let maxPending = 0;
    let rss15 = 0;
    const t0 = Date.now();
    for (let i = 0; Date.now() - t0 < seconds * 1000; i++) {
      w.speaker.setAdvertisements(
        new Map([
          ['good', GOOD_PREFIXES],
          ['hostile', i % 2 ? a : b],
        ]),
      );
      await Bun.sleep(1000);
      maxQueued = Math.max(maxQueued, s.queuedBytes);
      maxPending = Math.max(maxPending, s.pendingChanges);
      if (!rss15 && Date.now() - t0 >= 15_000) rss15 = rssMB();
    }
    const heap = heapMB();
    return `| churn 100k/s, hold ${hold}, peer stalled | ${rss15.toFixed(1)} | ${rssMB().toFixed(1)} | ${(rssMB() - rss0).toFixed(1)} since the stall | heap after GC ${heap0.toFixed(1)} → ${heap.toFixed(1)} MB, user-space queue max ${maxQueued} B, pending max ${maxPending} | ${s.state} | ${goodOk(w)} |`;
  } finally {
    p.stop();
    await w.stop();
  }
}

async function main() {
  const seconds = Number(arg('seconds', '60'));
  const cases = arg('cases', 'refresh-reads,refresh-stalled,churn-hold0,churn-hold90').split(',');
  const rows = [
    '| case | RSS at 15 s (MB) | RSS at the end (MB) | growth (MB) | output | hostile session | good session |',
    '|---|---:|---:|---:|---|---|---|',
  ];
  for (const c of cases) {
    const row =
      c === 'refresh-reads'
        ? await refresh(true, seconds)
        : c === 'refresh-stalled'
          ? await refresh(false, seconds)
          : c === 'churn-hold0'
            ? await churn(0, seconds)
            : await churn(90, seconds);
    console.error(row);
    rows.push(row);
  }
  console.log(rows.join('\n'));
}

if (import.meta.main) await main();
