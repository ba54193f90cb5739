/** Responder with a fake clock and fake link ports: answering, bursts, periodic refresh, losses, refcounts, counters. */
import { describe, expect, test } from 'bun:test';
import {
  DRAIN_INTERVAL_MS,
  type LinkPort,
  MAX_ANNOUNCEMENTS_PER_TICK,
  type OpenLink,
  Responder,
} from '../../agent/l2/responder.ts';
import {
  ArpOperation,
  BROADCAST_MAC,
  decodeArpFrame,
  decodeNdFrame,
  encodeArpFrame,
  encodeNdFrame,
  neighborSolicitation,
  parseMac,
  ZERO_MAC,
} from '../../agent/l2/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { formatIP, type IP, parseIP } from '../../agent/net/ip.ts';

const ip = (s: string): IP => {
  const r = parseIP(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const CLIENT = parseMac('02:00:00:00:00:20')!;

class FakePort implements LinkPort {
  inbox: Uint8Array[] = [];
  sent: Uint8Array[] = [];
  joins: string[] = [];
  leaves: string[] = [];
  closed = false;
  constructor(
    readonly name: string,
    readonly mac: Uint8Array,
  ) {}
  drain(max: number) {
    return this.inbox.splice(0, max);
  }
  send(f: Uint8Array) {
    if (this.closed) throw new Error('send on a closed port');
    this.sent.push(f);
    return true;
  }
  join(g: IP) {
    this.joins.push(formatIP(g));
  }
  leave(g: IP) {
    this.leaves.push(formatIP(g));
  }
  close() {
    this.closed = true;
  }
}

function setup(interval?: number) {
  const clock = new FakeClock(Date.UTC(2026, 11, 6, 12, 0, 0));
  const ports = new Map<string, FakePort>();
  const opened: string[] = [];
  const openLink: OpenLink = (name) => {
    if (name === 'missing0') return { ok: false, reason: 'no interface missing0' };
    opened.push(name);
    const p = new FakePort(name, parseMac(name === 'eth0' ? '02:00:00:00:00:01' : '02:00:00:00:00:02')!);
    ports.set(name, p);
    return { ok: true, port: p };
  };
  const r = new Responder({ clock, openLink, gratuitousIntervalSeconds: interval });
  return { clock, ports, opened, r };
}

const arpReq = (target: string) =>
  encodeArpFrame({
    destination: BROADCAST_MAC,
    source: CLIENT,
    arp: {
      operation: ArpOperation.Request,
      senderMac: CLIENT,
      senderIP: ip('192.168.2.20'),
      targetMac: ZERO_MAC,
      targetIP: ip(target),
    },
  });
const nsReq = (target: string) => encodeNdFrame(neighborSolicitation(ip(target), ip('fd00:2::20'), CLIENT));
const kinds = (frames: Uint8Array[]) =>
  frames.map((f) => {
    const a = decodeArpFrame(f);
    if (a.ok) return `arp-${a.value.arp.operation === 1 ? 'req' : 'rep'} ${formatIP(a.value.arp.senderIP)}`;
    const n = decodeNdFrame(f);
    if (n.ok)
      return `${n.value.message.type}${n.value.message.type === 'na' && n.value.message.solicited ? '-sol' : ''} ${formatIP(n.value.message.target)}`;
    return 'other';
  });

describe('Responder', () => {
  test('gaining an IP: gratuitous at once, at 0.5 s and 1 s, then every interval; both families', () => {
    const { clock, ports, r } = setup(60);
    expect(
      r.setOwned(
        new Map([
          ['192.168.2.200', 'eth0'],
          ['fd00:2::200', 'eth0'],
        ]),
      ),
    ).toEqual([]);
    const p = ports.get('eth0')!;
    expect(kinds(p.sent)).toEqual(['arp-req 192.168.2.200', 'arp-rep 192.168.2.200', 'na fd00:2::200']);
    expect(r.counters().gratuitousSent).toEqual({ 4: 1, 6: 1 });
    clock.advance(499);
    expect(p.sent.length).toBe(3);
    clock.advance(1);
    expect(p.sent.length).toBe(6);
    clock.advance(500);
    expect(r.counters().gratuitousSent).toEqual({ 4: 3, 6: 3 });
    clock.advance(58_999);
    expect(r.counters().gratuitousSent).toEqual({ 4: 3, 6: 3 });
    clock.advance(1);
    expect(r.counters().gratuitousSent).toEqual({ 4: 4, 6: 4 });
    clock.advance(120_000);
    expect(r.counters().gratuitousSent).toEqual({ 4: 6, 6: 6 });
  });

  test('gratuitousIntervalSeconds 0: the burst only', () => {
    const { clock, r } = setup(0);
    r.setOwned(new Map([['192.168.2.200', 'eth0']]));
    clock.advance(600_000);
    expect(r.counters().gratuitousSent).toEqual({ 4: 3, 6: 0 });
  });

  test('answers ARP and NS for owned IPs on their interface only; counts per family', () => {
    const { clock, ports, r } = setup();
    r.setOwned(
      new Map([
        ['192.168.2.200', 'eth0'],
        ['fd00:2::200', 'eth0'],
        ['192.168.3.7', 'eth1'],
      ]),
    );
    const eth0 = ports.get('eth0')!;
    const eth1 = ports.get('eth1')!;
    eth0.sent = [];
    eth1.sent = [];
    clock.advance(2000); // past the burst
    eth0.sent = [];
    eth1.sent = [];
    eth0.inbox.push(
      arpReq('192.168.2.200'),
      arpReq('192.168.2.201'),
      nsReq('fd00:2::200'),
      arpReq('192.168.3.7'),
    );
    eth1.inbox.push(arpReq('192.168.2.200'));
    clock.advance(10);
    expect(kinds(eth0.sent)).toEqual(['arp-rep 192.168.2.200', 'na-sol fd00:2::200']);
    expect(eth1.sent).toEqual([]);
    expect(r.counters().requestsAnswered).toEqual({ 4: 1, 6: 1 });
  });

  test('losing an IP stops answering before setOwned returns; the last IP closes the port', () => {
    const { clock, ports, r } = setup();
    r.setOwned(
      new Map([
        ['192.168.2.200', 'eth0'],
        ['192.168.2.201', 'eth0'],
      ]),
    );
    const p = ports.get('eth0')!;
    p.inbox.push(arpReq('192.168.2.200'));
    r.setOwned(new Map([['192.168.2.201', 'eth0']]));
    p.sent = [];
    r.drain();
    expect(p.sent).toEqual([]);
    // No burst frames for the lost IP either.
    clock.advance(5000);
    expect(kinds(p.sent).filter((k) => k.includes('.200'))).toEqual([]);
    r.setOwned(new Map());
    expect(p.closed).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  test('solicited-node groups are refcounted: two IPs in one group join once and leave after the last', () => {
    const { ports, r } = setup();
    r.setOwned(
      new Map([
        ['fd00:2::200', 'eth0'],
        ['fd00:3::200', 'eth0'],
        ['fd00:2::201', 'eth0'],
      ]),
    );
    const p = ports.get('eth0')!;
    expect(p.joins.sort()).toEqual(['ff02::1:ff00:200', 'ff02::1:ff00:201']);
    r.setOwned(
      new Map([
        ['fd00:3::200', 'eth0'],
        ['fd00:2::201', 'eth0'],
      ]),
    );
    expect(p.leaves).toEqual([]);
    r.setOwned(new Map([['fd00:2::201', 'eth0']]));
    expect(p.leaves).toEqual(['ff02::1:ff00:200']);
  });

  test('setOwned is idempotent: the same map sends nothing new and keeps `since`', () => {
    const { clock, ports, r } = setup();
    const m = new Map([['192.168.2.200', 'eth0']]);
    r.setOwned(m);
    const since = r.snapshot();
    clock.advance(3000);
    const n = ports.get('eth0')!.sent.length;
    r.setOwned(new Map(m));
    expect(ports.get('eth0')!.sent.length).toBe(n);
    expect(r.snapshot()).toEqual(since);
    expect(since).toEqual({
      owned: [{ ip: '192.168.2.200', interface: 'eth0', since: '2026-12-06T12:00:00.000Z' }],
    });
  });

  test('moving an IP to another interface; several interfaces per IP; canonical IP text', () => {
    const { ports, r } = setup();
    r.setOwned(new Map([['FD00:2:0::200', ['eth0', 'eth1']]]));
    expect(r.snapshot().owned.map((o) => `${o.ip}%${o.interface}`)).toEqual([
      'fd00:2::200%eth0',
      'fd00:2::200%eth1',
    ]);
    r.setOwned(new Map([['fd00:2::200', 'eth1']]));
    expect(ports.get('eth0')!.closed).toBe(true);
    expect(ports.get('eth1')!.closed).toBe(false);
  });

  test('problems are returned, the rest is answered', () => {
    const { r } = setup();
    const problems = r.setOwned(
      new Map([
        ['192.168.2.300', 'eth0'],
        ['192.168.2.200', 'missing0'],
        ['192.168.2.201', 'eth0'],
      ]),
    );
    expect(problems).toEqual([
      { ip: '192.168.2.300', message: expect.stringContaining('not a valid IPv4') },
      { ip: '192.168.2.200', interface: 'missing0', message: 'no interface missing0' },
    ]);
    expect(r.snapshot().owned.map((o) => o.ip)).toEqual(['192.168.2.201']);
  });

  test('a failing receive is logged once per failure spell, and the other interfaces keep answering', () => {
    const clock = new FakeClock();
    const log = memoryLogger();
    const good = new FakePort('eth1', parseMac('02:00:00:00:00:02')!);
    const bad = new FakePort('eth0', parseMac('02:00:00:00:00:01')!);
    let broken = true;
    bad.drain = () => {
      if (broken) throw new Error('recvfrom failed (errno 19)');
      return [];
    };
    const r = new Responder({
      clock,
      log,
      openLink: (n) => ({ ok: true, port: n === 'eth0' ? bad : good }),
    });
    r.setOwned(
      new Map([
        ['192.168.2.200', 'eth0'],
        ['192.168.3.7', 'eth1'],
      ]),
    );
    clock.advance(2000);
    good.inbox.push(arpReq('192.168.3.7'));
    clock.advance(1000);
    expect(log.lines.filter((l) => l.includes('receive failed')).length).toBe(1);
    expect(r.counters().requestsAnswered[4]).toBe(1);
    broken = false;
    clock.advance(10);
    expect(log.lines.filter((l) => l.includes('receiving again')).length).toBe(1);
  });

  test('stop(): nothing answered, every port closed, no timer left; later setOwned is ignored', () => {
    const { clock, ports, r } = setup();
    r.setOwned(
      new Map([
        ['192.168.2.200', 'eth0'],
        ['fd00:2::200', 'eth1'],
      ]),
    );
    r.stop();
    expect([...ports.values()].every((p) => p.closed)).toBe(true);
    expect(clock.pending()).toBe(0);
    expect(r.snapshot()).toEqual({ owned: [] });
    r.setOwned(new Map([['192.168.2.200', 'eth0']]));
    expect(r.snapshot()).toEqual({ owned: [] });
  });

  test('a takeover of 10,000 IPs: 500 announced at once, the rest 500 per drain interval, one timer in all', () => {
    const { clock, ports, r } = setup(60);
    const owned = new Map<string, string>();
    for (let i = 0; i < 10_000; i++) owned.set(`10.96.${i >> 8}.${i & 255}`, 'eth0');
    r.setOwned(owned);
    const p = ports.get('eth0')!;
    expect(r.counters().gratuitousSent[4]).toBe(MAX_ANNOUNCEMENTS_PER_TICK);
    expect(p.sent.length).toBe(2 * MAX_ANNOUNCEMENTS_PER_TICK);
    // The announcement timer and the drain timer: no timer per IP.
    expect(clock.pending()).toBe(2);
    clock.advance(19 * DRAIN_INTERVAL_MS);
    expect(r.counters().gratuitousSent[4]).toBe(10_000);
    // The burst's later rounds follow at their offsets, bounded the same way.
    clock.advance(1500);
    expect(r.counters().gratuitousSent[4]).toBe(30_000);
    expect(clock.pending()).toBe(2);
    r.setOwned(new Map());
    expect(clock.pending()).toBe(0);
  });
});
