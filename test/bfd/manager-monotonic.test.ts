/**
 * BFD timing on monotonic time: two BfdManagers Up over the in-memory network, then the wall
 * clock steps by an hour (FakeClock.jump moves the wall clock only, as an NTP step does).
 * Nothing flaps, packets keep going out at the negotiated interval, and a real silent death
 * after the step is still detected within the Detection Time counted in monotonic time. The
 * step hits both sides (one host running both) or only A (the node steps, the router does not).
 */
import { describe, expect, test } from 'bun:test';
import { BfdManager, type BfdManagerEvent } from '../../agent/bfd/manager.ts';
import { decodeControl } from '../../agent/bfd/packet.ts';
import { DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { type Clock, FakeClock } from '../../agent/lib/clock.ts';
import { seeded } from '../support/random.ts';
import { MemoryNet } from './memory-net.ts';

const A = '192.0.2.1';
const B = '192.0.2.2';
const HOUR = 3_600_000;
const DETECTION_MS = 900;
const TX_MS = 300;

/** A view of the shared FakeClock whose wall clock can be stepped on its own (another host). */
function hostClock(clock: FakeClock): Clock & { jump(ms: number): void } {
  let offset = 0;
  return {
    now: () => clock.now() + offset,
    monotonic: () => clock.monotonic(),
    setTimer: (ms, fn) => clock.setTimer(ms, fn),
    jump: (ms) => {
      offset += ms;
    },
  };
}

function pair() {
  const clock = new FakeClock();
  const net = new MemoryNet(clock);
  const clockA = hostClock(clock);
  const clockB = hostClock(clock);
  const events: (BfdManagerEvent & { mono: number; on: string })[] = [];
  const mk = (self: string, peer: string, seed: number, c: Clock) => {
    const m = new BfdManager({ clock: c, random: seeded(seed), transport: net.transport(self) });
    for (const t of ['up', 'down', 'adminDown'] as const)
      m.on(t, (e) => events.push({ ...e, mono: clock.monotonic(), on: self }));
    m.add({ peer, profile: { ...DEFAULT_BFD_PROFILE } });
    return m;
  };
  const a = mk(A, B, 7, clockA);
  const b = mk(B, A, 99, clockB);
  clock.advance(3000);
  expect(a.state(B)).toBe('Up');
  expect(b.state(A)).toBe('Up');
  const jump = (who: 'both' | 'A', ms: number) => {
    if (who === 'both') clock.jump(ms);
    else clockA.jump(ms);
  };
  return { clock, net, a, b, events, jump };
}

/** Monotonic times at which each host sent, during `ms` of advancing in 1 ms steps. */
function sendTimes(p: ReturnType<typeof pair>, ms: number): Map<string, number[]> {
  const out = new Map<string, number[]>([
    [A, []],
    [B, []],
  ]);
  let seen = p.net.sent.length;
  for (let t = 0; t < ms; t++) {
    p.clock.advance(1);
    for (const s of p.net.sent.slice(seen)) out.get(s.from)?.push(p.clock.monotonic());
    seen = p.net.sent.length;
  }
  return out;
}

describe('BFD across a wall-clock step (timers on monotonic time)', () => {
  for (const who of ['both', 'A'] as const) {
    for (const jump of [HOUR, -HOUR]) {
      const name = `${jump > 0 ? '+' : '-'}1 h on ${who === 'both' ? 'both sides' : 'A only'}`;

      test(`${name}: no flap, and packets keep going out at the negotiated interval`, () => {
        const p = pair();
        p.clock.advance(5000);
        p.jump(who, jump);
        const times = sendTimes(p, 10_000);
        expect(p.events.filter((e) => e.type !== 'up')).toEqual([]);
        expect(p.a.snapshot(B)).toMatchObject({ state: 'Up', flaps: 0 });
        expect(p.b.snapshot(A)).toMatchObject({ state: 'Up', flaps: 0 });
        for (const t of times.values()) {
          expect(t.length).toBeGreaterThanOrEqual(10_000 / TX_MS - 1);
          const gaps = t.slice(1).map((x, i) => x - (t[i] as number));
          // §6.8.7: 75–100 % of the interval, measured in monotonic time.
          expect(Math.min(...gaps)).toBeGreaterThanOrEqual(TX_MS * 0.75);
          expect(Math.max(...gaps)).toBeLessThanOrEqual(TX_MS);
        }
      });

      test(`${name}: a silent death after the step is detected within the Detection Time`, () => {
        const p = pair();
        p.clock.advance(5000);
        p.jump(who, jump);
        p.clock.advance(2000);
        expect(p.events.filter((e) => e.type === 'down')).toEqual([]);
        const cut = p.clock.monotonic();
        p.net.up = false;
        p.clock.advance(3000);
        const downs = p.events.filter((e) => e.type === 'down');
        expect(downs.map((e) => [e.on, e.type === 'down' && e.diagnosticName])).toEqual(
          expect.arrayContaining([
            [A, 'Control Detection Time Expired'],
            [B, 'Control Detection Time Expired'],
          ]),
        );
        // The last packet arrived before the cut, so its Detection Time ends within 900 ms of it.
        for (const d of downs) {
          expect(d.mono).toBeGreaterThan(cut);
          expect(d.mono).toBeLessThanOrEqual(cut + DETECTION_MS);
        }
      });
    }
  }
});

describe('a packet timestamp (SO_TIMESTAMP, wall time) is turned into monotonic time', () => {
  /** A is Up with B; B's last packet "arrived in A's kernel" at the cut, then the link dies. */
  function heldPacket(p: ReturnType<typeof pair>) {
    const last = p.net.sent.filter((s) => s.from === B).at(-1)!;
    expect(decodeControl(last.bytes).state).toBe('Up');
    p.net.up = false;
    p.net.holdUntilDrain = true;
    const cut = p.clock.monotonic();
    p.net.inject(A, {
      bytes: last.bytes,
      peer: B,
      peerPort: 49152,
      local: A,
      ifindex: 1,
      ttl: 255,
      multihop: false,
      receivedAt: p.clock.now(),
    });
    return cut;
  }

  /** Advances 1 ms at a time until A has read the held packet; its monotonic read time. */
  function readTime(p: ReturnType<typeof pair>): number {
    const before = p.a.counters().received;
    for (let i = 0; i < 2000 && p.a.counters().received === before; i++) p.clock.advance(1);
    expect(p.a.counters().received).toBe(before + 1);
    return p.clock.monotonic();
  }

  function downAt(p: ReturnType<typeof pair>): number {
    p.clock.advance(3000);
    const down = p.events.find((e) => e.type === 'down' && e.on === A);
    expect(down).toMatchObject({ diagnosticName: 'Control Detection Time Expired' });
    return down!.mono;
  }

  test('no step: the Detection Time runs from the arrival, not from the read', () => {
    const p = pair();
    p.clock.advance(5000);
    const cut = heldPacket(p);
    const read = readTime(p);
    expect(read).toBeGreaterThan(cut);
    expect(downAt(p)).toBe(cut + DETECTION_MS);
  });

  for (const step of [HOUR, -HOUR, 60_000, -60_000, -5_000]) {
    test(`a wall step of ${step} ms between arrival and read: counted as arriving when read (never as hours away)`, () => {
      const p = pair();
      p.clock.advance(5000);
      const cut = heldPacket(p);
      p.jump('A', step);
      const read = readTime(p);
      const down = downAt(p);
      // Not at once (an arrival an hour ago) and not an hour late (an arrival in the future):
      // from the read, which is at most one tick after the real arrival.
      expect(down).toBe(read + DETECTION_MS);
      expect(down - cut).toBeLessThanOrEqual(DETECTION_MS + TX_MS);
    });
  }

  test('a small forward step between arrival and read never moves the Detection Time earlier', () => {
    const p = pair();
    p.clock.advance(5000);
    const before = p.a.snapshot(B)!.packetsIn;
    // The packet before the held one restarted the Detection Time at its arrival (≤ the cut).
    const cut = heldPacket(p);
    p.jump('A', 2500);
    readTime(p);
    expect(p.a.snapshot(B)!.packetsIn).toBe(before + 1);
    // It looks 2.5 s old: taken at face value its deadline would be long past (a Down at the
    // read); it counts as arriving no earlier than the previous packet instead.
    const down = downAt(p);
    expect(down).toBeGreaterThan(cut + DETECTION_MS - TX_MS);
    expect(down).toBeLessThanOrEqual(cut + DETECTION_MS);
  });
});
