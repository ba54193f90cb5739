/**
 * Two BfdManagers back to back over an in-memory network on a FakeClock (no sleeps): the
 * same sessions the FRR interop runs, deterministic, with the timing asserted exactly.
 */
import { describe, expect, test } from 'bun:test';
import { BfdManager, type BfdManagerEvent } from '../../agent/bfd/manager.ts';
import { decodeControl, encodeControl } from '../../agent/bfd/packet.ts';
import { type BfdProfile, DEFAULT_BFD_PROFILE } from '../../agent/bfd/profile.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { seeded } from '../support/random.ts';
import { MemoryNet } from './memory-net.ts';

const A = '192.0.2.1';
const B = '192.0.2.2';

function pair(profileA: Partial<BfdProfile> = {}, profileB: Partial<BfdProfile> = {}) {
  const clock = new FakeClock();
  const net = new MemoryNet(clock);
  const events: (BfdManagerEvent & { at: number; on: string })[] = [];
  const mk = (self: string, peer: string, seed: number, p: Partial<BfdProfile>) => {
    const m = new BfdManager({ clock, random: seeded(seed), transport: net.transport(self) });
    for (const t of ['up', 'down', 'adminDown'] as const)
      m.on(t, (e) => events.push({ ...e, at: clock.now(), on: self }));
    m.add({ peer, profile: { ...DEFAULT_BFD_PROFILE, ...p } });
    return m;
  };
  const a = mk(A, B, 7, profileA);
  const b = mk(B, A, 99, profileB);
  const t0 = clock.now();
  return { clock, net, a, b, events, since: () => clock.now() - t0 };
}

describe('BfdManager pair on a fake clock', () => {
  test('comes Up within the 1 s slow start and polls both sides to 300 ms', () => {
    const { clock, a, b, events } = pair();
    clock.advance(3000);
    expect(a.state(B)).toBe('Up');
    expect(b.state(A)).toBe('Up');
    expect(events.filter((e) => e.type === 'up').length).toBe(2);
    // Both Ups within the first second of traffic (first TX ≤ 1 s, then immediate replies).
    for (const e of events) expect(e.at - 1_700_000_000_000).toBeLessThanOrEqual(1000);
    const s = a.snapshot(B)!;
    expect(s).toMatchObject({
      state: 'Up',
      txIntervalMs: 300,
      rxIntervalMs: 300,
      multiplier: 3,
      detectionTimeMs: 900,
      flaps: 0,
    });
    expect(s.lastDiagnostic).toBe('No Diagnostic');
  });

  test('the transport is told to drain fast while coming up or polling, slowly when steady', () => {
    const { clock, net, a } = pair();
    expect(net.busy.get(A)).toBe(true);
    clock.advance(3000);
    expect(net.busy.get(A)).toBe(false);
    a.update(B, { ...DEFAULT_BFD_PROFILE, transmitIntervalMs: 500 });
    expect(net.busy.get(A)).toBe(true);
    clock.advance(2000);
    expect(net.busy.get(A)).toBe(false);
    net.up = false;
    clock.advance(1000);
    expect(net.busy.get(A)).toBe(true);
  });

  test('a cut link: both sides Down by detection (≤ 900 ms after the last packet), named diagnostic; healing brings Up', () => {
    const { clock, net, a, b, events } = pair();
    clock.advance(3000);
    net.up = false;
    const cut = clock.now();
    clock.advance(1000);
    const downs = events.filter((e) => e.type === 'down');
    expect(downs.length).toBe(2);
    for (const d of downs) {
      expect(d.at - cut).toBeLessThanOrEqual(900);
      expect(d.at - cut).toBeGreaterThan(900 - 300);
      expect(d).toMatchObject({ diagnosticName: 'Control Detection Time Expired', remote: false });
    }
    expect(a.snapshot(B)).toMatchObject({
      state: 'Down',
      flaps: 1,
      lastDiagnostic: 'Control Detection Time Expired',
      txIntervalMs: 1000,
    });
    expect(a.diagnostics(B).get('Control Detection Time Expired')).toBe(1);
    net.up = true;
    clock.advance(3000);
    expect(a.state(B)).toBe('Up');
    expect(b.state(A)).toBe('Up');
    expect(a.snapshot(B)).toMatchObject({
      txIntervalMs: 300,
      flaps: 1,
      lastDiagnostic: 'Control Detection Time Expired',
    });
  });

  test('a Detection Time expiry drains queued packets first: a packet waiting in the kernel prevents a false Down', () => {
    const { clock, net, a, events } = pair();
    clock.advance(3000);
    // Packets now wait in the "kernel" until someone drains; only detection expiry drains.
    net.holdUntilDrain = true;
    clock.advance(5000);
    expect(a.state(B)).toBe('Up');
    expect(events.filter((e) => e.type === 'down')).toEqual([]);
  });

  test('asymmetric profiles negotiate the slower side of each direction', () => {
    const { clock, a, b } = pair(
      { transmitIntervalMs: 100, receiveIntervalMs: 500 },
      { transmitIntervalMs: 200, receiveIntervalMs: 300 },
    );
    clock.advance(4000);
    // A sends at max(A tx 100, B rx 300) = 300; B sends at max(B tx 200, A rx 500) = 500.
    expect(a.snapshot(B)).toMatchObject({
      state: 'Up',
      txIntervalMs: 300,
      rxIntervalMs: 500,
      detectionTimeMs: 1500,
    });
    expect(b.snapshot(A)).toMatchObject({
      state: 'Up',
      txIntervalMs: 500,
      rxIntervalMs: 300,
      detectionTimeMs: 900,
    });
  });

  test('update(profile) runs a poll sequence and both sides adopt the new timers without flapping', () => {
    const { clock, a, b } = pair();
    clock.advance(3000);
    a.update(B, { ...DEFAULT_BFD_PROFILE, transmitIntervalMs: 1000, receiveIntervalMs: 1000 });
    clock.advance(3000);
    expect(a.snapshot(B)).toMatchObject({ state: 'Up', txIntervalMs: 1000, rxIntervalMs: 1000, flaps: 0 });
    expect(b.snapshot(A)).toMatchObject({ state: 'Up', txIntervalMs: 1000, detectionTimeMs: 3000, flaps: 0 });
  });

  test('a passive side waits for the active one', () => {
    const { clock, net, a, b } = pair({ passiveMode: true }, {});
    clock.advance(3000);
    expect(a.state(B)).toBe('Up');
    expect(b.state(A)).toBe('Up');
    const firstFromA = net.sent.findIndex((s) => s.from === A);
    const firstFromB = net.sent.findIndex((s) => s.from === B);
    expect(firstFromB).toBeLessThan(firstFromA);
  });

  test('local AdminDown: the peer reports adminDown (not down), and no AdminDown was ever sent before', () => {
    const { clock, net, a, b, events } = pair();
    clock.advance(3000);
    expect(net.sent.some((s) => decodeControl(s.bytes).state === 'AdminDown')).toBe(false);
    a.adminDown(B);
    clock.advance(2000);
    expect(events.filter((e) => e.on === A && e.type === 'adminDown')).toMatchObject([{ remote: false }]);
    expect(events.filter((e) => e.on === B && e.type === 'adminDown')).toMatchObject([{ remote: true }]);
    expect(events.filter((e) => e.type === 'down')).toEqual([]);
    expect(b.snapshot(A)).toMatchObject({ state: 'Down', remoteState: 'AdminDown' });
    a.adminUp(B);
    clock.advance(3000);
    expect(b.state(A)).toBe('Up');
  });

  test('remove() stops sending (never AdminDown); the peer detects it', () => {
    const { clock, net, a, events } = pair();
    clock.advance(3000);
    a.remove(B);
    const n = net.sent.filter((s) => s.from === A).length;
    clock.advance(2000);
    expect(net.sent.filter((s) => s.from === A).length).toBe(n);
    expect(events.filter((e) => e.on === B && e.type === 'down')).toMatchObject([
      { diagnosticName: 'Control Detection Time Expired' },
    ]);
  });

  test('bad datagrams are discarded and counted by reason; the session stays Up', () => {
    const { clock, net, a } = pair();
    clock.advance(3000);
    const s = a.snapshot(B)!;
    const good = net.sent.filter((x) => x.from === B).at(-1)!.bytes;
    const dgram = (bytes: Uint8Array, o: { ttl?: number; peer?: string } = {}) =>
      net.inject(A, {
        bytes,
        peer: o.peer ?? B,
        peerPort: 50000,
        local: A,
        ifindex: 1,
        ttl: o.ttl ?? 255,
        multihop: false,
      });
    const p = decodeControl(good);
    dgram(good, { ttl: 254 });
    dgram(encodeControl({ ...p, version: 0 }));
    dgram(encodeControl({ ...p, length: 23 }));
    dgram(encodeControl({ ...p, yourDiscriminator: (s.localDiscriminator ^ 1) >>> 0 }));
    dgram(encodeControl({ ...p, state: 'Down' }), { peer: '192.0.2.66' });
    dgram(encodeControl({ ...p, yourDiscriminator: 0, state: 'Down' }), { peer: '192.0.2.66' });
    dgram(encodeControl({ ...p, multipoint: true }));
    dgram(encodeControl({ ...p, detectMult: 0 }));
    dgram(encodeControl({ ...p, myDiscriminator: 0 }));
    dgram(encodeControl({ ...p, authentication: true, length: 24 }));
    const withAuth = new Uint8Array(26);
    withAuth.set(encodeControl({ ...p, authentication: true, length: 26 }));
    dgram(withAuth);
    dgram(encodeControl({ ...p, yourDiscriminator: 0 }));
    dgram(good.subarray(0, 10));
    clock.advance(10);
    expect(a.counters().discards).toEqual({
      truncated: 1,
      'bad-version': 1,
      'bad-length': 2,
      'zero-detect-mult': 1,
      multipoint: 1,
      'zero-my-discriminator': 1,
      'unknown-your-discriminator': 1,
      'your-discriminator-zero-not-down': 1,
      'authentication-mismatch': 1,
      'bad-ttl': 1,
      'no-session': 1,
      'address-mismatch': 1,
    });
    clock.advance(2000);
    expect(a.snapshot(B)).toMatchObject({ state: 'Up', flaps: 0 });
  });

  test('a BFD port already taken is a problem in status, not an exception; the session exists', () => {
    const clock = new FakeClock();
    const m = new BfdManager({
      clock,
      random: seeded(3),
      transport: () => ({
        listen() {
          throw new Error('bind port 3784 failed (errno 98)');
        },
        send: () => true,
        drain() {},
        setBusy() {},
        close() {},
      }),
    });
    m.add({ peer: B, profile: { ...DEFAULT_BFD_PROFILE } });
    expect(m.state(B)).toBe('Down');
    expect(m.problems()).toEqual([
      'cannot receive BFD on IPv4 UDP 3784 (single hop): bind port 3784 failed (errno 98)',
    ]);
    m.close();
  });

  test('add() again with another mode replaces the session; with the same mode it only updates', () => {
    const { clock, a } = pair();
    clock.advance(3000);
    const d1 = a.snapshot(B)!.localDiscriminator;
    a.add({ peer: B, profile: { ...DEFAULT_BFD_PROFILE, transmitIntervalMs: 400 } });
    expect(a.snapshot(B)).toMatchObject({ localDiscriminator: d1, state: 'Up' });
    a.add({ peer: B, multihop: true, profile: { ...DEFAULT_BFD_PROFILE } });
    expect(a.snapshot(B)!.localDiscriminator).not.toBe(d1);
    expect(a.state(B)).toBe('Down');
  });
});
