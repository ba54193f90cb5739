/**
 * Hostile peer, message framing: bad marker, undersized and oversized lengths, an unknown
 * type, 1 MB of junk and a slowloris. Each case: the exact NOTIFICATION (RFC 4271 §6.1,
 * §6.5), the connection closed, the speaker back to Established with a well-behaved peer,
 * the other session untouched, memory bounded.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { encodeKeepalive, encodeNotification, type NotificationMessage } from '../../agent/bgp/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { hex, MARKER, toHex } from '../bgp/hex.ts';
import {
  expectGoodUnaffected,
  expectRecovered,
  heapAfterGc,
  hostilePeer,
  peerState,
  RawPeer,
  rawOpen,
  startWorld,
  until,
  type World,
  wellBehaved,
} from './harness.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.stop();
});

const codeOf = (n: NotificationMessage) => [n.code, n.subcode, toHex(n.data)];

/** Seeded junk that never starts with a valid marker. */
function junk(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  out[0] = 0;
  return out;
}

/** The first thing the raw peer says, instead of an OPEN. */
async function firstMessage(bytes: Uint8Array): Promise<NotificationMessage> {
  const c = await w.fresh(async (c) => {
    await c.waitMessage('open');
    c.send(bytes);
  });
  const n = await c.notification();
  expect(c.of('open')).toHaveLength(1);
  expect(c.of('keepalive')).toHaveLength(0);
  return n;
}

describe('message header errors before the OPEN', () => {
  test('bad marker -> 1/1 Connection Not Synchronized', async () => {
    const n = await firstMessage(hex(`${'ff'.repeat(15)}fe 0013 04`));
    expect(codeOf(n)).toEqual([1, 1, '']);
    expect(peerState(w, 'hostile').lastNotificationSent).toBe(
      'Message Header Error/Connection Not Synchronized',
    );
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('length 18 (undersized) -> 1/2 Bad Message Length with the length as data', async () => {
    const n = await firstMessage(hex(`${MARKER}0012 04`));
    expect(codeOf(n)).toEqual([1, 2, '0012']);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('length 0 -> 1/2', async () => {
    const n = await firstMessage(hex(`${MARKER}0000 04`));
    expect(codeOf(n)).toEqual([1, 2, '0000']);
    await expectRecovered(w);
  });

  test('length 65535 (oversized, only the header sent) -> 1/2 at once, nothing buffered', async () => {
    const n = await firstMessage(hex(`${MARKER}ffff 02`));
    expect(codeOf(n)).toEqual([1, 2, 'ffff']);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('KEEPALIVE of length 20 -> 1/2', async () => {
    const n = await firstMessage(hex(`${MARKER}0014 04 00`));
    expect(codeOf(n)).toEqual([1, 2, '0014']);
    await expectRecovered(w);
  });

  test('unknown message type 9 -> 1/3 Bad Message Type with the type as data', async () => {
    const n = await firstMessage(hex(`${MARKER}0013 09`));
    expect(codeOf(n)).toEqual([1, 3, '09']);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });
});

describe('message header errors once Established', () => {
  test('an UPDATE of 4097 bytes without the extended-message capability -> 1/2', async () => {
    await expectRecovered(w);
    const c = w.raw.current!;
    const body = new Uint8Array(4097 - 19);
    c.send(new Uint8Array([...hex(`${MARKER}1001 02`), ...body]));
    const n = await c.notification();
    expect(codeOf(n)).toEqual([1, 2, '1001']);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('bad marker in the middle of the stream -> 1/1', async () => {
    const c = w.raw.current!;
    c.send(new Uint8Array([...encodeKeepalive(), ...hex(`${'ff'.repeat(8)}00${'ff'.repeat(7)} 0013 04`)]));
    const n = await c.notification();
    expect(codeOf(n)).toEqual([1, 1, '']);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('a NOTIFICATION, then a bad marker in the same segment: the NOTIFICATION wins, nothing is sent back', async () => {
    await expectRecovered(w);
    const c = w.raw.current!;
    const cease = encodeNotification({ code: 6, subcode: 2, data: new Uint8Array(0) });
    c.send(new Uint8Array([...cease, ...hex(`${'ff'.repeat(8)}00${'ff'.repeat(7)} 0013 04`)]));
    await c.closed;
    expect(c.of('notification')).toEqual([]);
    expect(peerState(w, 'hostile').lastNotificationReceived).toBe('Cease/Administrative Shutdown');
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });
});

describe('1 MB of junk', () => {
  test('before the OPEN and once Established: 1/1 each time; heap does not keep the junk', async () => {
    const MB = 1 << 20;
    const blobs = [junk(MB, 1), junk(MB, 2), junk(MB, 3), junk(MB, 4)];
    const before = heapAfterGc();
    for (const [i, blob] of blobs.entries()) {
      let c: Awaited<ReturnType<typeof w.fresh>>;
      if (i % 2 === 0) {
        c = await w.fresh(async (c) => {
          await c.waitMessage('open');
          await c.sendAll(blob);
        });
      } else {
        await expectRecovered(w);
        c = w.raw.current!;
        void c.sendAll(blob);
      }
      const n = await c.notification();
      expect(codeOf(n)).toEqual([1, 1, '']);
      await expectRecovered(w);
    }
    const growth = heapAfterGc() - before;
    // 4 MB of junk went through; the speaker must have kept none of it (framer: at most one message).
    expect(growth).toBeLessThan(2 * MB);
    expectGoodUnaffected(w);
  }, 20_000);
});

describe('slowloris', () => {
  test('Established, then one byte per second: dropped by the hold timer (4/0) in hold time', async () => {
    // The raw peer offers hold time 3; after Established it stops sending whole messages.
    let trickled = 0;
    const c = await w.fresh(async (c) => {
      await c.waitMessage('open');
      c.send(rawOpen({ holdTime: 3 }));
      c.send(encodeKeepalive());
      const k = encodeKeepalive();
      c.every(1000, () => {
        if (trickled < k.length) c.send(k.subarray(trickled, ++trickled));
      });
    });
    await until('Established with hold 3', () => peerState(w, 'hostile').state === 'Established');
    expect(peerState(w, 'hostile').holdTimeSeconds).toBe(3);
    const t0 = Date.now();
    const n = await c.notification(6000);
    const took = Date.now() - t0;
    expect(codeOf(n)).toEqual([4, 0, '']);
    expect(trickled).toBeGreaterThanOrEqual(2);
    expect(took).toBeGreaterThan(2000);
    expect(took).toBeLessThan(4500);
    expect(peerState(w, 'hostile').lastNotificationSent).toBe('Hold Timer Expired');
    await expectRecovered(w);
    expectGoodUnaffected(w);
  }, 15_000);

  test('before the OPEN, one byte per second: dropped by the OpenSent hold timer (4 min, FakeClock)', async () => {
    const clock = new FakeClock(Date.now());
    const raw = new RawPeer();
    const port = raw.listen();
    const { Speaker } = await import('../../agent/bgp/speaker.ts');
    const { Registry } = await import('../../agent/lib/metrics.ts');
    const { memoryLogger } = await import('../../agent/lib/log.ts');
    const s = new Speaker({
      routerId: '10.255.0.2',
      nextHopV4: '192.0.2.10',
      clock,
      random: () => 0.5,
      log: memoryLogger('error'),
      metrics: new Registry(),
    });
    try {
      let trickled = 0;
      const open = rawOpen();
      const conn = raw.next(async (c) => {
        await c.waitMessage('open');
        c.every(1000, () => {
          if (trickled < open.length) c.send(open.subarray(trickled, ++trickled));
        });
      });
      s.setPeers([hostilePeer(port)]);
      const c = await conn;
      await c.waitMessage('open');
      await until('three bytes trickled', () => trickled >= 3, 5000);
      clock.advance(239_000);
      await Bun.sleep(50);
      expect(c.of('notification')).toHaveLength(0);
      expect(s.status()[0]!.state).toBe('OpenSent');
      clock.advance(1_000);
      const n = await c.notification();
      expect(codeOf(n)).toEqual([4, 0, '']);
      // and it comes back with a peer that behaves
      const again = raw.next(wellBehaved());
      for (let i = 0; i < 50 && raw.conns.length < 2; i++) {
        clock.advance(100);
        await Bun.sleep(10);
      }
      await again;
      await until('Established after the slowloris', () => s.status()[0]!.state === 'Established');
    } finally {
      await s.stop('keep');
      raw.stop();
    }
  }, 15_000);
});
