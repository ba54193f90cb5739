/**
 * Hostile peer, OPEN errors: hold time 1 and 2, the wrong AS, unknown optional parameters,
 * garbage capabilities, messages out of order (RFC 4271 §6.2, RFC 5492, RFC 6793, RFC 6608).
 * Each reset: the exact NOTIFICATION, then recovery; the good session is never disturbed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { encodeKeepalive, type NotificationMessage } from '../../agent/bgp/wire/index.ts';
import { hex, MARKER, msg, toHex, update } from '../bgp/hex.ts';
import {
  expectGoodUnaffected,
  expectRecovered,
  HOSTILE_ASN,
  peerState,
  rawOpen,
  type Script,
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

const asHex = (n: number) => n.toString(16).padStart(4, '0');
/** An OPEN body: version 4, My AS, hold 9, identifier 10.255.0.3, then raw optional parameters. */
const openWith = (params: string, myAS = HOSTILE_ASN, hold = 9) => {
  const p = params.replace(/\s+/g, '');
  return msg(1, `04${asHex(myAS)}${asHex(hold)}0aff0003${(p.length / 2).toString(16).padStart(2, '0')}${p}`);
};

/** Replies to the speaker's OPEN with `bytes`; returns the NOTIFICATION the speaker sends. */
async function reply(bytes: Uint8Array, then?: Script): Promise<NotificationMessage> {
  const c = await w.fresh(async (c) => {
    await c.waitMessage('open');
    c.send(bytes);
    await then?.(c);
  });
  return c.notification();
}

const RESETS: { name: string; bytes: Uint8Array; code: number; subcode: number; data?: string }[] = [
  { name: 'hold time 1', bytes: rawOpen({ holdTime: 1 }), code: 2, subcode: 6 },
  { name: 'hold time 2', bytes: rawOpen({ holdTime: 2 }), code: 2, subcode: 6 },
  {
    name: 'wrong AS (65099 instead of 65003)',
    bytes: rawOpen({ asn: 65099 }),
    code: 2,
    subcode: 2,
    data: asHex(65099),
  },
  {
    name: 'wrong 4-octet AS in the capability (My AS = AS_TRANS)',
    bytes: rawOpen({ asn: 4200000000 }),
    code: 2,
    subcode: 2,
    data: asHex(23456),
  },
  {
    name: 'My AS disagrees with the 4-octet AS capability',
    bytes: openWith('0206 4104 0000fdec', HOSTILE_ASN),
    code: 2,
    subcode: 2,
  },
  { name: 'unknown optional parameter type 1', bytes: openWith('0102 0000'), code: 2, subcode: 4 },
  { name: 'unknown optional parameter type 200', bytes: openWith('c803 aabbcc'), code: 2, subcode: 4 },
  {
    name: 'optional parameter overruns the parameter block',
    bytes: openWith('0210 0104 00010001'),
    code: 2,
    subcode: 0,
  },
  {
    name: 'garbage capability: value overruns its parameter',
    bytes: openWith('0204 41ff 0000'),
    code: 2,
    subcode: 0,
  },
  { name: 'garbage capability: header cut in half', bytes: openWith('0201 41'), code: 2, subcode: 0 },
  {
    name: 'optional parameters length disagrees with the message',
    bytes: hexOpenBadOptLen(),
    code: 2,
    subcode: 0,
  },
  { name: 'BGP identifier 0.0.0.0', bytes: rawOpen({ bgpId: '0.0.0.0' }), code: 2, subcode: 3 },
  {
    name: 'version 3',
    bytes: msg(1, `03${asHex(HOSTILE_ASN)}00090aff000300`),
    code: 2,
    subcode: 1,
    data: '0004',
  },
  { name: 'OPEN shorter than 29 bytes', bytes: msg(1, '04fe4b'), code: 1, subcode: 2 },
  {
    name: 'KEEPALIVE instead of an OPEN (RFC 6608: FSM error in OpenSent)',
    bytes: encodeKeepalive(),
    code: 5,
    subcode: 1,
  },
  {
    name: 'UPDATE instead of an OPEN',
    bytes: update('', '', ''),
    code: 5,
    subcode: 1,
  },
];

function hexOpenBadOptLen(): Uint8Array {
  const m = openWith('0206 0104 00010001');
  m[28] = 4; // claims 4 bytes of parameters, carries 8
  return m;
}

describe('OPEN errors', () => {
  test.each(RESETS.map((c) => [c.name, c] as const))('%s', async (_name, tc) => {
    const n = await reply(tc.bytes);
    expect([n.code, n.subcode]).toEqual([tc.code, tc.subcode]);
    if (tc.data !== undefined) expect(toHex(n.data)).toBe(tc.data);
    expect(peerState(w, 'hostile').state).not.toBe('Established');
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('an UPDATE in OpenConfirm -> 5/2 (RFC 6608)', async () => {
    const n = await reply(rawOpen(), (c) => c.send(update('', '', '')));
    expect([n.code, n.subcode]).toEqual([5, 2]);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('a second OPEN once Established -> 5/3 (RFC 6608)', async () => {
    await expectRecovered(w);
    const c = w.raw.current!;
    c.send(rawOpen());
    const n = await c.notification();
    expect([n.code, n.subcode]).toEqual([5, 3]);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test.each([
    ['version 3', openWith('', HOSTILE_ASN, 9).map((b, i) => (i === 19 ? 3 : b))],
    ['the wrong AS', openWith('', 64999)],
    ['hold time 1', openWith('', HOSTILE_ASN, 1)],
  ])('an OPEN with %s once Established -> 5/3, not an OPEN error', async (_name, bytes) => {
    await expectRecovered(w);
    const c = w.raw.current!;
    c.send(bytes);
    const n = await c.notification();
    expect([n.code, n.subcode]).toEqual([5, 3]);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });

  test('the NOTIFICATIONs sent are counted in /metrics by code name', () => {
    expect(w.metrics.render()).toMatch(
      /edgelb_bgp_notifications_total\{peer="hostile",direction="sent",code="open_message_error"\} \d+/,
    );
  });
});

describe('garbage capabilities that must be ignored (RFC 5492 §3)', () => {
  const garbage = (() => {
    // 30 unknown capabilities with codes 200..229 and junk values, plus the real ones.
    let caps = '';
    for (let i = 0; i < 30; i++)
      caps += `02 04 ${(200 + i).toString(16)} 02 ${toHex(new Uint8Array([i, 255 - i]))}`;
    return caps;
  })();

  test.each([
    ['30 unknown capabilities alongside valid ones', `${garbage} 0206 0104 00010001 0206 4104 0000fdeb`],
    [
      'a malformed multiprotocol capability (3 bytes) is treated as unknown',
      '0205 0103 000100 0206 4104 0000fdeb',
    ],
    ['a malformed 4-octet AS capability (2 bytes): My AS is used', '0204 4102 fe4b'],
    ['no optional parameters at all (plain RFC 4271 peer)', ''],
    ['a capability parameter of length 0', '0200 0206 4104 0000fdeb'],
  ])('%s -> Established', async (_name, params) => {
    const c = await w.fresh(async (c) => {
      await c.waitMessage('open');
      c.send(openWith(params));
      c.send(encodeKeepalive());
      c.every(1000, () => c.send(encodeKeepalive()));
    });
    await until(
      'Established',
      () => peerState(w, 'hostile').state === 'Established' && c.of('keepalive').length > 0,
    );
    expect(c.of('notification')).toEqual([]);
    const caps = peerState(w, 'hostile').capabilities.join(' ');
    expect(caps).not.toMatch(/\b2[0-3]\d\b/);
    // IPv4 unicast negotiated (explicitly or implied): the route goes out.
    await until('the IPv4 route announced', () => c.of('update').some((u) => u.nlri.length > 0));
    expectGoodUnaffected(w);
  });
});

describe('connection hygiene', () => {
  test('a peer that connects and says nothing is still answered with an OPEN, then waits (no crash)', async () => {
    const c = await w.fresh(async () => {});
    await c.waitMessage('open');
    expect(c.of('open')[0]!.myAS).toBe(65001);
    c.end();
    await expectRecovered(w);
  });

  test('marker-only bytes with a short length in pieces: 1/2 after the 19th byte', async () => {
    const bytes = hex(`${MARKER}0005 01`);
    const c = await w.fresh(async (c) => {
      await c.waitMessage('open');
      for (const b of bytes) {
        c.send(new Uint8Array([b]));
        await Bun.sleep(1);
      }
    });
    const n = await c.notification();
    expect([n.code, n.subcode, toHex(n.data)]).toEqual([1, 2, '0005']);
    await expectRecovered(w);
    expectGoodUnaffected(w);
  });
});
