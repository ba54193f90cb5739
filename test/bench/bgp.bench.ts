/**
 * `bun run bench:bgp` — how fast edgelb fills a real router, against BIRD 2 and ExaBGP 4 in the
 * same run. Each sender announces the same N /32s to one FRR (bgpd + zebra) in a network
 * namespace; we measure, at FRR, the time from the session reaching Established until FRR
 * holds every prefix (polling `show bgp ipv4 unicast summary json` every 25 ms, so figures are
 * upper bounds within ~25 ms plus one vtysh call), the number of UPDATEs FRR received, and the
 * sender's resident memory once it is done. Not a test: it prints a table and exits.
 * Per cell: the fastest of the runs, and the lowest RSS of the runs. Memory per prefix is the
 * marginal cost between the two sizes: (RSS at the larger - RSS at the smaller) / the difference.
 *
 * Options: --sizes 10000,100000  --runs 3  --senders edgelb,bird,exabgp
 */
import { readFileSync } from 'node:fs';
import { startBird } from '../support/bird.ts';
import { missing } from '../support/env.ts';
import { startExaBgp } from '../support/exabgp.ts';
import { type Frr, startFrr } from '../support/frr.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { type Proc, sleep, waitFor } from '../support/proc.ts';
import { peer, startSpeaker } from '../support/speaker-main.ts';

type Sender = 'edgelb' | 'bird' | 'exabgp';

interface Result {
  sender: Sender;
  prefixes: number;
  seconds: number;
  /** Time until FRR held 99 % of the prefixes (shows senders that hold back a last UPDATE). */
  seconds99: number;
  updates: number;
  rssMiB: number;
  /** RSS 3 s later, holding the table (the runtimes return a burst's free pages by then). */
  heldMiB: number;
}

/** How long after the table is complete the held RSS is read. */
const SETTLE_MS = 3000;

const HOSTS: Record<Sender, { v4: string; v6: string }> = {
  edgelb: TOPOLOGY.worker,
  bird: { v4: '192.168.2.20', v6: 'fd00:2::20' },
  exabgp: { v4: '192.168.2.21', v6: 'fd00:2::21' },
};
const ROUTER_ASN = 65000;
const NODE_ASN = 65001;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

export function prefixes(n: number): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
  return out;
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Summary {
  peers?: Record<string, { state?: string; pfxRcd?: number }>;
}

async function updatesReceived(frr: Frr, address: string): Promise<number> {
  const n = await frr.neighbor(address);
  const stats = n?.raw.messageStats as { updatesRecv?: number } | undefined;
  return stats?.updatesRecv ?? 0;
}

/** Starts a sender, measures at FRR, stops it and waits until FRR dropped its routes. */
async function measure(lan: Lan, frr: Frr, sender: Sender, list: string[]): Promise<Result> {
  const host = sender;
  const a = HOSTS[sender];
  const timeoutMs = 60_000 + list.length; // generous: ~1 ms per prefix on top of a minute
  let proc: Proc;
  let stop: () => Promise<void>;
  const updatesBefore = await updatesReceived(frr, a.v4); // FRR's counters survive sessions
  if (sender === 'edgelb') {
    const sp = startSpeaker(lan, host, {
      routerId: a.v4,
      nextHopV4: a.v4,
      peers: [
        peer({
          id: 'router',
          peerAddress: TOPOLOGY.router.v4,
          localAddress: a.v4,
          localASN: NODE_ASN,
          peerASN: ROUTER_ASN,
        }),
      ],
      advertisements: { router: list },
      logLevel: 'warn',
      statusAdvertised: false,
    });
    proc = sp.proc;
    stop = () => sp.stop('withdraw', 10_000);
  } else if (sender === 'bird') {
    const bird = await startBird(
      lan,
      host,
      {
        asn: NODE_ASN,
        routerId: a.v4,
        localAddress: a.v4,
        neighbors: [{ name: 'router', address: TOPOLOGY.router.v4, remoteAs: ROUTER_ASN }],
        announce: { v4: list },
      },
      `bird-${list.length}`,
    );
    proc = bird.proc;
    stop = () => bird.stop();
  } else {
    const exa = await startExaBgp(
      lan,
      host,
      {
        asn: NODE_ASN,
        routerId: a.v4,
        localAddress: a.v4,
        neighbors: [{ address: TOPOLOGY.router.v4, remoteAs: ROUTER_ASN }],
        announce: { v4: list, nextHopV4: a.v4 },
      },
      `exabgp-${list.length}`,
    );
    proc = exa.proc;
    stop = () => exa.stop();
  }
  const summary = () => frr.json<Summary>('show bgp ipv4 unicast summary json').then((s) => s.peers?.[a.v4]);
  try {
    await waitFor(
      `${sender} Established at FRR`,
      async () => {
        if (!proc.running()) throw new Error(`${sender} exited: ${proc.log().slice(-1500)}`);
        return (await summary())?.state === 'Established';
      },
      { timeoutMs: timeoutMs, intervalMs: 10 },
    );
    const t0 = performance.now();
    let t99 = 0;
    await waitFor(
      `${sender}: ${list.length} prefixes at FRR`,
      async () => {
        const n = (await summary())?.pfxRcd ?? 0;
        if (!t99 && n >= list.length * 0.99) t99 = performance.now();
        return n >= list.length;
      },
      { timeoutMs, intervalMs: 25 },
    );
    const seconds = (performance.now() - t0) / 1000;
    const seconds99 = (t99 - t0) / 1000;
    const updates = (await updatesReceived(frr, a.v4)) - updatesBefore;
    const rss = rssMiB(proc.pid);
    await sleep(SETTLE_MS);
    const held = rssMiB(proc.pid);
    return { sender, prefixes: list.length, seconds, seconds99, updates, rssMiB: rss, heldMiB: held };
  } finally {
    await stop();
    await waitFor(`FRR drops ${sender}'s routes`, async () => ((await summary())?.pfxRcd ?? 0) === 0, {
      timeoutMs: 60_000,
      intervalMs: 100,
    }).catch(() => frr.vtysh(`clear bgp ${a.v4}`));
  }
}

function table(results: Result[]): string {
  const rows = [
    '| sender | prefixes | all at FRR (s) | 99 % at FRR (s) | UPDATEs | sender RSS (MiB) | time / BIRD | RSS / BIRD |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const bird = results.find((x) => x.sender === 'bird' && x.prefixes === r.prefixes);
    const ratio = (x: number, y: number | undefined) => (y ? `${(x / y).toFixed(2)}x` : '-');
    rows.push(
      `| ${r.sender} | ${r.prefixes.toLocaleString('en-US')} | ${r.seconds.toFixed(3)} | ${r.seconds99.toFixed(3)} | ${r.updates} | ${r.rssMiB.toFixed(1)} | ${ratio(r.seconds, bird?.seconds)} | ${ratio(r.rssMiB, bird?.rssMiB)} |`,
    );
  }
  const sizes = [...new Set(results.map((r) => r.prefixes))].sort((x, y) => x - y);
  if (sizes.length >= 2) {
    const [lo, hi] = [sizes[0]!, sizes.at(-1)!];
    rows.push(
      '',
      `| sender | RSS held at ${lo.toLocaleString('en-US')} (MiB) | RSS held at ${hi.toLocaleString('en-US')} (MiB) | KiB per prefix held (marginal) | the same at completion |`,
      '|---|---:|---:|---:|---:|',
    );
    for (const s of new Set(results.map((r) => r.sender))) {
      const a = results.find((r) => r.sender === s && r.prefixes === lo);
      const b = results.find((r) => r.sender === s && r.prefixes === hi);
      if (!a || !b) continue;
      const per = ((b.heldMiB - a.heldMiB) * 1024) / (hi - lo);
      const peak = ((b.rssMiB - a.rssMiB) * 1024) / (hi - lo);
      rows.push(
        `| ${s} | ${a.heldMiB.toFixed(1)} | ${b.heldMiB.toFixed(1)} | ${per.toFixed(3)} | ${peak.toFixed(3)} |`,
      );
    }
  }
  return rows.join('\n');
}

async function main() {
  const why = missing({
    root: true,
    tools: ['ip', 'vtysh', 'bird', 'exabgp', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'],
  });
  if (why) {
    console.error(`bench:bgp skipped: ${why}`);
    return;
  }
  const sizes = arg('sizes', '10000,100000').split(',').map(Number);
  const runs = Number(arg('runs', '3'));
  const senders = arg('senders', 'edgelb,bird,exabgp').split(',') as Sender[];
  const lan = await createLan({
    family: 'elbp',
    hosts: { router: TOPOLOGY.router, edgelb: HOSTS.edgelb, bird: HOSTS.bird, exabgp: HOSTS.exabgp },
  });
  const results: Result[] = [];
  try {
    const frr = await startFrr(lan, 'router', {
      asn: ROUTER_ASN,
      routerId: TOPOLOGY.router.v4,
      neighbors: senders.map((s) => ({
        address: HOSTS[s].v4,
        remoteAs: NODE_ASN,
        ipv6: false,
        gracefulRestart: false,
        timers: { keepalive: 10, hold: 30 },
      })),
    });
    for (const n of sizes) {
      const list = prefixes(n);
      for (const s of senders) {
        let best: Result | undefined;
        for (let i = 0; i < runs; i++) {
          const r = await measure(lan, frr, s, list);
          console.error(
            `${s} ${n}: ${r.seconds.toFixed(3)} s (99 %: ${r.seconds99.toFixed(3)} s), ${r.updates} UPDATEs, RSS ${r.rssMiB.toFixed(1)} MiB, held ${r.heldMiB.toFixed(1)} MiB`,
          );
          if (!best) best = r;
          else
            best = {
              ...(r.seconds < best.seconds ? r : best),
              rssMiB: Math.min(r.rssMiB, best.rssMiB),
              heldMiB: Math.min(r.heldMiB, best.heldMiB),
            };
          await sleep(200);
        }
        if (best) results.push(best);
      }
    }
    const frrRss = rssMiB(frr.proc.pid);
    console.log(table(results));
    console.log(`\nFRR bgpd RSS at the end: ${frrRss.toFixed(1)} MiB; best of ${runs} run(s) per cell.`);
  } finally {
    await lan.destroy();
  }
}

if (import.meta.main) {
  await main();
}
