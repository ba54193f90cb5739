/**
 * Hostile peer, output side (issue 26), over real loopback sockets: a ROUTE-REFRESH flood from a
 * peer that reads and from one that does not, and a peer that stops reading while 100,000
 * prefixes churn (the send-hold timer, shortened through the test-only speaker option, ends it).
 * The benchmark-length versions (60 s) run from test/bench/bgp-output.bench.ts.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import {
  expectGoodUnaffected,
  GOOD_PREFIXES,
  HOSTILE_PREFIXES,
  heapAfterGc,
  hostilePeer,
  peerState,
  startWorld,
  until,
  type World,
} from './harness.ts';
import { StallPeer } from './stall-peer.ts';

let w: World | undefined;
let peer: StallPeer | undefined;
afterEach(async () => {
  peer?.stop();
  await w?.stop();
  w = undefined;
  peer = undefined;
});

function table(n: number, second = 0): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = `${10 + second}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
  return out;
}

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

/** The world with the hostile session moved to a StallPeer announcing `prefixes`. */
async function world(holdTime: number, prefixes: string[], sendHoldTimeMs?: number): Promise<StallPeer> {
  w = await startWorld(sendHoldTimeMs !== undefined ? { sendHoldTimeMs } : {});
  peer = new StallPeer(holdTime);
  const port = await peer.listen();
  w.speaker.setAdvertisements(
    new Map([
      ['good', GOOD_PREFIXES],
      ['hostile', prefixes],
    ]),
  );
  w.speaker.setPeers([
    w.peers[0]!,
    hostilePeer(port, { holdTimeSeconds: holdTime, keepAliveTimeSeconds: 3 }),
  ]);
  const p = peer;
  await until(
    'the stall peer Established',
    () => p.established && peerState(w!, 'hostile').state === 'Established',
  );
  await until('its table', () => peerState(w!, 'hostile').advertised === prefixes.length, 10_000);
  return p;
}

describe('ROUTE-REFRESH every 10 ms, 5,000 prefixes', () => {
  for (const reads of [true, false]) {
    test(`from a peer that ${reads ? 'reads' : 'does not read'}: RSS flat, one table per second at most, the good session unaffected`, async () => {
      const p = await world(90, table(5000));
      if (!reads) p.stopReading();
      p.refreshEvery(10);
      const t0 = Date.now();
      const bytes0 = p.received;
      await Bun.sleep(2000);
      const base = rssMiB();
      await Bun.sleep(6000);
      const seconds = (Date.now() - t0) / 1000;
      const grown = rssMiB() - base;
      const s = w!.speaker.session('hostile')!;
      console.log(
        `${reads ? 'reading' : 'stalled'}: RSS +${grown.toFixed(1)} MiB over ${seconds.toFixed(1)} s, read ${p.received - bytes0} B, coalesced ${s.refreshesCoalesced}`,
      );
      expect(grown).toBeLessThan(30);
      expect(s.state).toBe('Established');
      expect(s.refreshesCoalesced).toBeGreaterThan(seconds * 50);
      // One 5,000 /32 table is ~25 kB: paced to one per second, whatever the 100 requests a second.
      if (reads) expect(p.received - bytes0).toBeLessThan((seconds + 2) * 30_000);
      else expect(s.queuedBytes).toBeLessThan(64 * 1024);
      expectGoodUnaffected(w!);
    }, 30_000);
  }
});

describe('a peer that stops reading while 100,000 prefixes churn', () => {
  for (const hold of [0, 90]) {
    test(`hold time ${hold}: memory within one table, the (shortened) send-hold timer ends it, counted`, async () => {
      const a = table(100_000);
      const b = table(100_000, 1);
      const p = await world(hold, a, 1500);
      const s = w!.speaker.session('hostile')!;
      p.stopReading();
      const base = heapAfterGc() / 2 ** 20;
      const rss0 = rssMiB();
      let blockedAt: number | undefined;
      let maxQueued = 0;
      let maxPending = 0;
      // The socket may unblock (the kernel grows its buffers) and block again: keep the latest.
      const sample = setInterval(() => {
        blockedAt = s.sendBlockedSince ?? blockedAt;
      }, 5);
      for (let i = 0; i < 20 && s.sendHoldExpiries === 0; i++) {
        w!.speaker.setAdvertisements(
          new Map([
            ['good', GOOD_PREFIXES],
            ['hostile', i % 2 ? a : b],
          ]),
        );
        await Bun.sleep(100);
        maxQueued = Math.max(maxQueued, s.queuedBytes);
        maxPending = Math.max(maxPending, s.pendingChanges);
        blockedAt = s.sendBlockedSince ?? blockedAt;
      }
      // (The session then comes back at once: the peer's next connection reads.)
      await until('the send-hold timer to end the session', () => s.sendHoldExpiries > 0, 10_000);
      clearInterval(sample);
      const grown = heapAfterGc() / 2 ** 20 - base;
      const endedAfter = s.lastError!.at - blockedAt!;
      console.log(
        `hold ${hold}: heap after GC +${grown.toFixed(1)} MiB (RSS +${(rssMiB() - rss0).toFixed(1)} MiB), max queued ${maxQueued} B, max pending ${maxPending}, ended ${endedAfter} ms after the socket blocked`,
      );
      // At SendHoldTime after the socket blocked (it may have unblocked and blocked again: not before).
      expect(endedAfter).toBeGreaterThanOrEqual(1500);
      expect(endedAfter).toBeLessThan(1500 + 5000);
      expect(maxQueued).toBeLessThan(256 * 1024);
      expect(maxPending).toBeLessThanOrEqual(200_000);
      // Within one table's worth (100,000 prefixes at the 0.5 KiB budget), whatever the 40 swaps.
      expect(grown).toBeLessThan(48);
      expect(s.sendHoldExpiries).toBe(1);
      expect(s.lastNotificationSent).toBe('Send Hold Timer Expired');
      expect(s.lastError?.message).toContain('send hold timer expired');
      expect(w!.metrics.render()).toContain('edgelb_bgp_send_hold_expired_total{peer="hostile"} 1');
      expect(HOSTILE_PREFIXES.length).toBe(1);
      expectGoodUnaffected(w!);
    }, 40_000);
  }
});
