/**
 * Hostile peer, connection floods against the speaker's listener: from an address that is
 * not a configured peer (refused and closed without a byte read or written, no state), and
 * from a configured peer's address while its session is Established (each extra connection
 * gets Cease/Connection Collision Resolution). Sessions, descriptors and heap stay put.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import net from 'node:net';
import { decodeMessage, encodeKeepalive, Framer } from '../../agent/bgp/wire/index.ts';
import { freePort } from '../support/cli.ts';
import {
  expectGoodUnaffected,
  HOSTILE_ADDRESS,
  heapAfterGc,
  openFds,
  peerState,
  rawOpen,
  startWorld,
  until,
  type World,
} from './harness.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld({ listenPort: await freePort() });
});
afterAll(async () => {
  await w?.stop();
});

interface Probe {
  received: Uint8Array[];
  closedAfterMs: number;
}

/** One connection from `from` to the listener: sends an OPEN, records what comes back until close. */
function probe(from: string, port: number): Promise<Probe> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const received: Uint8Array[] = [];
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
    const done = () => resolve({ received, closedAfterMs: Date.now() - t0 });
    const guard = setTimeout(() => s.destroy(), 4000);
    s.on('connect', () => s.write(rawOpen()));
    s.on('data', (d: Buffer) => received.push(new Uint8Array(d)));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(guard);
      done();
    });
  });
}

async function flood(from: string, total: number, batch: number): Promise<Probe[]> {
  const out: Probe[] = [];
  for (let i = 0; i < total; i += batch)
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(batch, total - i) }, () => probe(from, w.listenPort!)),
      )),
    );
  return out;
}

async function fdsSettle(baseline: number): Promise<number> {
  let n = openFds();
  for (let i = 0; i < 100 && n > baseline + 2; i++) {
    await Bun.sleep(30);
    n = openFds();
  }
  return n;
}

describe('connection flood', () => {
  test('500 connections from 127.0.0.9 (not a peer): each closed at once, nothing read or sent, no state', async () => {
    const hostileSince = w.speaker.session('hostile')!.establishedAt;
    const fds = openFds();
    const heap = heapAfterGc();
    const rss = process.memoryUsage().rss;
    const logBefore = w.log.lines.length;
    const t0 = Date.now();
    const probes = await flood('127.0.0.9', 500, 50);
    const took = Date.now() - t0;
    expect(probes).toHaveLength(500);
    expect(probes.filter((p) => p.received.length > 0)).toEqual([]);
    expect(Math.max(...probes.map((p) => p.closedAfterMs))).toBeLessThan(2000);
    expect(took).toBeLessThan(10_000);
    // no session, no pending state for the flooder
    expect(
      w.speaker
        .status()
        .map((p) => p.id)
        .sort(),
    ).toEqual(['good', 'hostile']);
    expect(peerState(w, 'hostile').state).toBe('Established');
    expect(w.speaker.session('hostile')!.establishedAt).toBe(hostileSince);
    expect(w.log.lines.slice(logBefore).filter((l) => l.includes('unconfigured address'))).toHaveLength(1); // rate-limited: one line per address per minute
    expect(await fdsSettle(fds)).toBeLessThanOrEqual(fds + 2);
    expect(heapAfterGc() - heap).toBeLessThan(4 << 20);
    expect(process.memoryUsage().rss - rss).toBeLessThan(32 << 20);
    expectGoodUnaffected(w);
  }, 20_000);

  test('200 connections from the Established peer`s own address: Cease/Connection Collision Resolution each, session kept', async () => {
    const session = w.speaker.session('hostile')!;
    const since = session.establishedAt;
    const fds = openFds();
    const probes = await flood(HOSTILE_ADDRESS, 200, 50);
    for (const p of probes) {
      const bytes = new Uint8Array(p.received.reduce((n, b) => n + b.length, 0));
      let o = 0;
      for (const b of p.received) {
        bytes.set(b, o);
        o += b.length;
      }
      const msgs = new Framer(4096).push(bytes).map((m) => decodeMessage(m));
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatchObject({ type: 'notification', code: 6, subcode: 7 });
    }
    await Bun.sleep(50);
    expect(session.state).toBe('Established');
    expect(session.establishedAt).toBe(since);
    expect(w.raw.current!.of('notification')).toEqual([]);
    expect(await fdsSettle(fds)).toBeLessThanOrEqual(fds + 2);
    expectGoodUnaffected(w);
  }, 20_000);

  test('after the floods a passive configured peer still comes in through the listener', async () => {
    const [good, hostile] = w.peers;
    w.speaker.setPeers([good!, { ...hostile!, passive: true }]);
    await until('the hostile session to wait passively', () => peerState(w, 'hostile').state === 'Active');
    const received: Uint8Array[] = [];
    const framer = new Framer(4096);
    const s = net.connect({ host: '127.0.0.1', port: w.listenPort!, localAddress: HOSTILE_ADDRESS });
    try {
      s.on('error', () => {});
      s.on('data', (d: Buffer) => {
        for (const m of framer.push(new Uint8Array(d))) {
          received.push(m);
          const msg = decodeMessage(m);
          if (msg.type === 'open') s.write(new Uint8Array([...rawOpen(), ...encodeKeepalive()]));
        }
      });
      await until('Established through the listener', () => peerState(w, 'hostile').state === 'Established');
      await until('the route announced to the passive peer', () =>
        received.map((m) => decodeMessage(m)).some((m) => m.type === 'update' && m.nlri.length > 0),
      );
      expectGoodUnaffected(w);
    } finally {
      s.destroy();
    }
  });
});

describe('a silent connection from a passive peer`s own address', () => {
  /**
   * Regression: with the peer passive and one incoming connection from its address sitting in
   * OpenSent without ever sending an OPEN, a second incoming connection from the same address
   * that sends a valid OPEN was once treated as a §6.8 collision and refused with 6/7, locking
   * the real router out until the 240 s OpenSent hold timer expired. Two incoming connections
   * are no collision: the newer one replaces the older.
   */
  test('a newer connection from the peer replaces an older silent one (no lock-out)', async () => {
    await until('the passive session waiting', () => peerState(w, 'hostile').state === 'Active', 5000);
    const squat = net.connect({ host: '127.0.0.1', port: w.listenPort!, localAddress: HOSTILE_ADDRESS });
    squat.on('error', () => {});
    squat.resume();
    const s = net.connect({ host: '127.0.0.1', port: w.listenPort!, localAddress: HOSTILE_ADDRESS });
    try {
      await until('the squatter in OpenSent', () => peerState(w, 'hostile').state === 'OpenSent');
      const framer = new Framer(4096);
      s.on('error', () => {});
      s.on('data', (d: Buffer) => {
        for (const m of framer.push(new Uint8Array(d)))
          if (decodeMessage(m).type === 'open') s.write(encodeKeepalive());
      });
      s.write(new Uint8Array([...rawOpen(), ...encodeKeepalive()]));
      await until(
        'the real connection Established',
        () => peerState(w, 'hostile').state === 'Established',
        3000,
      );
    } finally {
      squat.destroy();
      s.destroy();
    }
  });
});
