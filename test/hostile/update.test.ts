/**
 * Hostile peer, UPDATE errors on an Established session. Session-reset cases must produce
 * the exact NOTIFICATION of RFC 4271 §6.3 / RFC 7606, then the session recovers; RFC 7606
 * treat-as-withdraw and attribute-discard cases must produce no NOTIFICATION and leave the
 * session up. The good session is never disturbed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Speaker } from '../../agent/bgp/speaker.ts';
import { encodeKeepalive, encodeNotification, shutdownData } from '../../agent/bgp/wire/index.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { createLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { msg, toHex, update } from '../bgp/hex.ts';
import {
  expectGoodUnaffected,
  expectRecovered,
  hostilePeer,
  peerState,
  RawPeer,
  rawOpen,
  startWorld,
  until,
  type World,
} from './harness.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.stop();
});

const sp = (s: string) => s.replace(/\s+/g, '');
const ORIGIN = '40010100';
const AS_PATH = '400206020100 00fe4b'; // AS_SEQUENCE [65099], 4-octet
const NEXT_HOP = '400304c0000202';
const BASE = sp(ORIGIN + AS_PATH + NEXT_HOP);
const NLRI = '20c6336401'; // 198.51.100.1/32
const V6_NH = '20010db8000000000000000000000002';
const mpReach = (nlri = '80 20010db8000100000000000000000001') => {
  const body = sp(`0002 01 10 ${V6_NH} 00 ${nlri}`);
  return `800e${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
};

interface ResetCase {
  name: string;
  bytes: Uint8Array;
  code: number;
  subcode: number;
}

const RESETS: ResetCase[] = [
  {
    name: 'total path attribute length overruns the message',
    bytes: msg2('0000 00ff 40010100'),
    code: 3,
    subcode: 1,
  },
  { name: 'withdrawn routes length overruns the message', bytes: msg2('00ff 0000'), code: 3, subcode: 1 },
  {
    name: 'duplicate MP_REACH (RFC 7606 §3 g)',
    bytes: update('', sp(`${mpReach()}${mpReach()}${ORIGIN}${AS_PATH}`), ''),
    code: 3,
    subcode: 1,
  },
  {
    name: 'duplicate MP_UNREACH (RFC 7606 §3 g)',
    bytes: update('', sp('800f03000201 800f03000201'), ''),
    code: 3,
    subcode: 1,
  },
  {
    name: 'truncated MP_REACH: next-hop length runs past the attribute',
    bytes: update('', sp(`800e08 0002 01 10 20010db8 0000${ORIGIN}${AS_PATH}`), ''),
    code: 3,
    subcode: 9,
  },
  {
    name: 'truncated MP_REACH: shorter than AFI+SAFI+NH length',
    bytes: update('', sp('800e03 000201'), ''),
    code: 3,
    subcode: 9,
  },
  {
    name: 'MP_REACH with an IPv6 next hop of 4 bytes',
    bytes: update('', sp(`800e09 000201 04 c0000202 00${ORIGIN}${AS_PATH}`), ''),
    code: 3,
    subcode: 9,
  },
  {
    name: 'MP_REACH attribute length overflows the attribute block',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}800e30 0002011020010db8`), ''),
    code: 3,
    subcode: 5,
  },
  {
    name: 'IPv4 NLRI prefix length 33 (RFC 7606 §5.3: always reset)',
    bytes: update('', BASE, '2101020304 05'.replace(' ', '')),
    code: 3,
    subcode: 10,
  },
  {
    name: 'IPv4 NLRI prefix truncated at the end of the message',
    bytes: update('', BASE, '20c63364'),
    code: 3,
    subcode: 10,
  },
];

/** An UPDATE with a raw body (lengths as given, not computed). */
function msg2(body: string): Uint8Array {
  const b = sp(body);
  const len = 19 + b.length / 2;
  const bytes = new Uint8Array(len);
  bytes.fill(0xff, 0, 16);
  bytes[16] = len >> 8;
  bytes[17] = len & 255;
  bytes[18] = 2;
  for (let i = 0; i < b.length / 2; i++) bytes[19 + i] = Number.parseInt(b.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

interface KeepCase {
  name: string;
  bytes: Uint8Array;
  /** Text the speaker's debug log must show for a treat-as-withdraw; undefined for discard. */
  withdrawLog?: string;
}

const KEEPS: KeepCase[] = [
  {
    name: 'attribute length overflow (NEXT_HOP length 8 runs past the block): treat-as-withdraw',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}400308c0000202`), NLRI),
    withdrawLog: 'Attribute Length Error',
  },
  {
    name: 'duplicate ORIGIN: the second is discarded (RFC 7606 §3 g)',
    bytes: update('', sp(`${BASE}40010101`), NLRI),
  },
  {
    name: 'duplicate COMMUNITIES: the second is discarded',
    bytes: update('', sp(`${BASE}c00804fe4b0001c00804fe4b0002`), NLRI),
  },
  {
    name: 'NEXT_HOP 0.0.0.0: treat-as-withdraw (RFC 7606 §7.3)',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}40030400000000`), NLRI),
    withdrawLog: 'Invalid NEXT_HOP Attribute',
  },
  {
    name: 'NEXT_HOP 127.0.0.1 (martian): treat-as-withdraw',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}4003047f000001`), NLRI),
    withdrawLog: 'Invalid NEXT_HOP Attribute',
  },
  {
    name: 'NEXT_HOP 224.0.0.1 (multicast): treat-as-withdraw',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}400304e0000001`), NLRI),
    withdrawLog: 'Invalid NEXT_HOP Attribute',
  },
  {
    name: 'NEXT_HOP of 3 bytes: treat-as-withdraw',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}400303c00002`), NLRI),
    withdrawLog: 'Attribute Length Error',
  },
  {
    name: 'missing NEXT_HOP with NLRI: treat-as-withdraw',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}`), NLRI),
    withdrawLog: 'Missing Well-known Attribute',
  },
  {
    name: 'a well-formed IPv6 MP_REACH is accepted (and ignored: edgelb installs nothing)',
    bytes: update('', sp(`${mpReach()}${ORIGIN}${AS_PATH}`), ''),
  },
];

describe('UPDATE errors that reset the session', () => {
  test.each(RESETS.map((c) => [c.name, c] as const))('%s', async (_name, tc) => {
    expect(tc.bytes.length).toBeGreaterThan(19);
    await expectRecovered(w);
    const c = w.raw.current!;
    c.send(tc.bytes);
    const n = await c.notification();
    expect([n.code, n.subcode]).toEqual([tc.code, tc.subcode]);
    expect(peerState(w, 'hostile').lastNotificationSent?.startsWith('UPDATE Message Error/')).toBe(true);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });
});

describe('UPDATE errors handled without a reset (RFC 7606)', () => {
  test.each(KEEPS.map((c) => [c.name, c] as const))('%s', async (_name, tc) => {
    await expectRecovered(w);
    const c = w.raw.current!;
    const session = w.speaker.session('hostile')!;
    const since = session.establishedAt;
    const before = session.messagesIn;
    const logBefore = w.log.lines.length;
    c.send(tc.bytes);
    c.send(encodeKeepalive());
    await until(
      'the speaker to read the UPDATE and the KEEPALIVE after it',
      () => session.messagesIn >= before + 2,
    );
    await Bun.sleep(30);
    expect(c.of('notification')).toEqual([]);
    expect(c.isClosed).toBe(false);
    expect(session.state).toBe('Established');
    expect(session.establishedAt).toBe(since);
    const logged = w.log.lines.slice(logBefore).filter((l) => l.includes('treated as withdraw'));
    if (tc.withdrawLog) {
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain(tc.withdrawLog);
    } else expect(logged).toEqual([]);
    expectGoodUnaffected(w);
  });

  test('a burst of 2000 treat-as-withdraw UPDATEs: all read, no reset', async () => {
    const c = w.raw.current!;
    const session = w.speaker.session('hostile')!;
    const since = session.establishedAt;
    const before = session.messagesIn;
    const one = update('', sp(`${ORIGIN}${AS_PATH}40030400000000`), NLRI);
    const burst = new Uint8Array(one.length * 2000);
    for (let i = 0; i < 2000; i++) burst.set(one, i * one.length);
    await c.sendAll(burst);
    await until('all 2000 read', () => session.messagesIn >= before + 2000);
    expect(c.of('notification')).toEqual([]);
    expect(session.establishedAt).toBe(since);
    expectGoodUnaffected(w);
  });
});

describe('other messages from a hostile peer', () => {
  test('ROUTE-REFRESH of 24 bytes -> 7/1 with the whole message as data (RFC 7313 §5)', async () => {
    await expectRecovered(w);
    const c = w.raw.current!;
    const bad = msg(5, '0001010100');
    c.send(bad);
    const n = await c.notification();
    expect([n.code, n.subcode, toHex(n.data)]).toEqual([7, 1, toHex(bad)]);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('ROUTE-REFRESH for an unknown family is ignored (RFC 2918 §5)', async () => {
    const c = w.raw.current!;
    const session = w.speaker.session('hostile')!;
    const before = session.messagesIn;
    c.send(msg(5, '00190080'));
    c.send(encodeKeepalive());
    await until('both read', () => session.messagesIn >= before + 2);
    await Bun.sleep(30);
    expect(c.of('notification')).toEqual([]);
    expect(session.state).toBe('Established');
  });

  test.each([
    ['Cease/Administrative Shutdown with a shutdown message longer than its data', '0602 ff41'],
    ['Cease/Administrative Shutdown with invalid UTF-8', `0602 04${'c3'.repeat(4)}`],
    ['an unknown code with 4000 bytes of binary data', `ff ff ${'00ff'.repeat(2000)}`],
  ])('a NOTIFICATION with %s: no reply, the session goes down and comes back', async (_name, body) => {
    const c = w.raw.current!;
    c.send(msg(3, body.replace(/\s+/g, '')));
    await c.closed;
    expect(c.of('notification')).toEqual([]);
    expect(peerState(w, 'hostile').lastNotificationReceived).toBeDefined();
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('1000 full-size valid UPDATEs (800 prefixes each) are read and ignored; the session stays up', async () => {
    const c = w.raw.current!;
    const session = w.speaker.session('hostile')!;
    const since = session.establishedAt;
    const before = session.messagesIn;
    let nlri = '';
    for (let i = 0; i < 800; i++)
      nlri += `20 0a ${((i >> 8) & 255).toString(16).padStart(2, '0')} ${(i & 255).toString(16).padStart(2, '0')} 01`;
    const one = update('', BASE, sp(nlri));
    expect(one.length).toBeLessThanOrEqual(4096);
    const all = new Uint8Array(one.length * 1000);
    for (let i = 0; i < 1000; i++) all.set(one, i * one.length);
    await c.sendAll(all);
    await until('all read', () => session.messagesIn >= before + 1000, 10_000);
    expect(c.of('notification')).toEqual([]);
    expect(session.establishedAt).toBe(since);
    expectGoodUnaffected(w);
  }, 15_000);
});

describe('log injection', () => {
  test('a shutdown message with newlines cannot forge log lines (text format)', async () => {
    const lines: string[] = [];
    const raw = new RawPeer();
    const port = raw.listen();
    const s = new Speaker({
      routerId: '10.255.0.2',
      nextHopV4: '192.0.2.10',
      clock: systemClock,
      random: Math.random,
      log: createLogger({ level: 'debug', format: 'text', write: (l) => lines.push(l) }),
      metrics: new Registry(),
    });
    try {
      const first = raw.next(async (c) => {
        await c.waitMessage('open');
        c.send(rawOpen());
        c.send(encodeKeepalive());
      });
      s.setPeers([hostilePeer(port)]);
      const c = await first;
      await until('Established', () => s.status()[0]!.state === 'Established');
      const forged = '\n2026-01-01T00:00:00.000Z ERROR forged line peer=x\r\n';
      c.send(encodeNotification({ code: 6, subcode: 2, data: shutdownData(`bye${forged}`) }));
      await c.closed;
      await until('the NOTIFICATION logged', () =>
        lines.some((l) => l.includes('bgp notification received')),
      );
      expect(s.status()[0]!.lastNotificationReceived).toBe('Cease/Administrative Shutdown');
      for (const l of lines) expect(l).not.toMatch(/[\r\n]/);
      expect(lines.filter((l) => l.includes('forged line'))).toHaveLength(1);
      expect(lines.some((l) => l.startsWith('2026-01-01'))).toBe(false);
    } finally {
      await s.stop('keep');
      raw.stop();
    }
  });
});
