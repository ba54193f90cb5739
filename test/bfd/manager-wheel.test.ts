/**
 * The BfdManager on its timer wheel (FakeClock, in-memory network): several sessions share
 * one process timer, each still sends within its RFC 5880 §6.8.7 jitter bounds, and the
 * Detection Time runs from a packet's arrival, not from when it was read.
 */
import { expect, test } from 'bun:test';
import { BfdManager, type BfdManagerEvent } from '../../agent/bfd/manager.ts';
import { decodeControl } from '../../agent/bfd/packet.ts';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { seeded } from '../support/random.ts';
import { MemoryNet } from './memory-net.ts';

const A = '192.0.2.1';
const PEERS = ['192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'];
const WINDOW_MS = 60_000;

function star(peers: string[], seed = 11) {
  const clock = new FakeClock();
  const net = new MemoryNet(clock);
  const events: (BfdManagerEvent & { at: number })[] = [];
  const a = new BfdManager({ clock, random: seeded(seed), transport: net.transport(A) });
  for (const t of ['up', 'down'] as const) a.on(t, (e) => events.push({ ...e, at: clock.now() }));
  const others = peers.map((p, i) => {
    a.add({ peer: p, profile: { ...DEFAULT_BFD_PROFILE } });
    const m = new BfdManager({ clock, random: seeded(seed * 31 + i), transport: net.transport(p) });
    m.add({ peer: A, profile: { ...DEFAULT_BFD_PROFILE } });
    return m;
  });
  return { clock, net, a, others, events };
}

test('4 steady sessions at 300 ms: one wheel wakes about 4 times a second (not ~20), every interval within 75–100 %', () => {
  const { clock, net, a } = star(PEERS);
  clock.advance(5000);
  for (const p of PEERS) expect(a.snapshot(p)).toMatchObject({ state: 'Up', txIntervalMs: 300 });
  const w0 = a.counters().wakeups;
  const from = clock.now();
  clock.advance(WINDOW_MS);
  const perSecond = (a.counters().wakeups - w0) / (WINDOW_MS / 1000);
  // One per session per interval would be ~15/s, plus detection timers ~4/s.
  expect(perSecond).toBeGreaterThan(3);
  expect(perSecond).toBeLessThan(5);
  for (const p of PEERS) {
    const times = net.sent.filter((s) => s.from === A && s.to === p && s.at >= from).map((s) => s.at);
    expect(times.length).toBeGreaterThan(WINDOW_MS / 300);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(225);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(300);
    // Still jittered: the intervals are not all the same.
    expect(new Set(gaps).size).toBeGreaterThan(10);
  }
  // Packets of several sessions go out in the same wake-up.
  const instants = new Set(net.sent.filter((s) => s.from === A && s.at >= from).map((s) => s.at));
  expect(instants.size).toBeLessThan(net.sent.filter((s) => s.from === A && s.at >= from).length / 2);
});

test('the Detection Time runs from the arrival time: a packet read late does not postpone a Down', () => {
  const { clock, net, a, events } = star(PEERS.slice(0, 1));
  const B = PEERS[0] as string;
  clock.advance(5000);
  expect(a.state(B)).toBe('Up');
  const last = net.sent.filter((s) => s.from === B).at(-1)!;
  expect(decodeControl(last.bytes).state).toBe('Up');
  net.up = false;
  net.holdUntilDrain = true;
  const cut = clock.now();
  // The peer's last packet arrived at the cut but waits in the "kernel" until the next tick.
  net.inject(A, {
    bytes: last.bytes,
    peer: B,
    peerPort: 49152,
    local: A,
    ifindex: 1,
    ttl: 255,
    multihop: false,
    receivedAt: cut,
  });
  clock.advance(2000);
  const down = events.find((e) => e.type === 'down');
  expect(down).toMatchObject({ peer: B, diagnosticName: 'Control Detection Time Expired' });
  expect(down!.at - cut).toBe(900);
});

test('a packet whose arrival time is later than the clock counts as arriving now', () => {
  const { clock, net, events } = star(PEERS.slice(0, 1));
  const B = PEERS[0] as string;
  clock.advance(5000);
  const last = net.sent.filter((s) => s.from === B).at(-1)!;
  net.up = false;
  const cut = clock.now();
  net.inject(A, {
    bytes: last.bytes,
    peer: B,
    peerPort: 49152,
    local: A,
    ifindex: 1,
    ttl: 255,
    multihop: false,
    receivedAt: cut + 5000,
  });
  clock.advance(2000);
  expect(events.find((e) => e.type === 'down')!.at - cut).toBe(900);
});
