/** The malformed-input table: each case asserts the RFC 4271 §6 / RFC 7606 code, subcode and handling. */
import { describe, expect, test } from 'bun:test';
import {
  type DecodeContext,
  decodeMessage,
  encodeUpdate,
  type Handling,
  notificationName,
  validateOpen,
  WireError,
} from '../../agent/bgp/wire/index.ts';
import { hex, MARKER, msg, toHex, update } from './hex.ts';

const CTX: DecodeContext = { as4: true, maxLength: 4096 };
const ORIGIN = '40010100';
const AS_PATH = '400206020100 00fde9';
const NEXT_HOP = '400304c0000202';
const BASE = ORIGIN + AS_PATH + NEXT_HOP;
const NLRI = '20c6336401';
const OPEN_BODY = (version: string, as: string, hold: string, id: string, opt = '00') =>
  `${version}${as}${hold}${id}${opt}`;

function sp(s: string) {
  return s.replace(/\s+/g, '');
}

interface Case {
  name: string;
  bytes: Uint8Array;
  code: number;
  subcode: number;
  handling: Handling;
  data?: string;
  ctx?: DecodeContext;
}

/** Cases that must throw (session reset) or come back as an RFC 7606 error on the UPDATE. */
const CASES: Case[] = [
  {
    name: 'bad marker',
    bytes: hex(`${'ff'.repeat(15)}fe 0013 04`),
    code: 1,
    subcode: 1,
    handling: 'reset',
  },
  {
    name: 'length below 19',
    bytes: hex(`${MARKER}0012 04 00`),
    code: 1,
    subcode: 2,
    handling: 'reset',
    data: '0012',
  },
  {
    name: 'length above 4096 without extended messages',
    bytes: update('', sp(BASE), '20c6336401'.repeat(820)),
    code: 1,
    subcode: 2,
    handling: 'reset',
  },
  {
    name: 'KEEPALIVE with a body',
    bytes: msg(4, '00'),
    code: 1,
    subcode: 2,
    handling: 'reset',
    data: '0014',
  },
  { name: 'OPEN shorter than 29', bytes: msg(1, '04fde9005a0a0000'), code: 1, subcode: 2, handling: 'reset' },
  { name: 'unknown message type 9', bytes: msg(9, ''), code: 1, subcode: 3, handling: 'reset', data: '09' },
  {
    name: 'ROUTE-REFRESH of 24 bytes (RFC 7313)',
    bytes: msg(5, '0001000100'),
    code: 7,
    subcode: 1,
    handling: 'reset',
  },
  {
    name: 'bad version 3',
    bytes: msg(1, OPEN_BODY('03', 'fde9', '005a', '0a000001')),
    code: 2,
    subcode: 1,
    handling: 'reset',
    data: '0004',
  },
  {
    name: 'hold time 1',
    bytes: msg(1, OPEN_BODY('04', 'fde9', '0001', '0a000001')),
    code: 2,
    subcode: 6,
    handling: 'reset',
  },
  {
    name: 'hold time 2',
    bytes: msg(1, OPEN_BODY('04', 'fde9', '0002', '0a000001')),
    code: 2,
    subcode: 6,
    handling: 'reset',
  },
  {
    name: 'BGP identifier 0.0.0.0',
    bytes: msg(1, OPEN_BODY('04', 'fde9', '005a', '00000000')),
    code: 2,
    subcode: 3,
    handling: 'reset',
  },
  {
    name: 'optional parameter type 1 (not capabilities)',
    bytes: msg(1, OPEN_BODY('04', 'fde9', '005a', '0a000001', '03 01 01 00')),
    code: 2,
    subcode: 4,
    handling: 'reset',
  },
  {
    name: 'capability overruns its parameter',
    bytes: msg(1, OPEN_BODY('04', 'fde9', '005a', '0a000001', '04 02 02 41 04')),
    code: 2,
    subcode: 0,
    handling: 'reset',
  },
  {
    name: 'withdrawn routes length overruns the message',
    bytes: msg(2, '00ff 0000'),
    code: 3,
    subcode: 1,
    handling: 'reset',
  },
  {
    name: 'total path attribute length overruns the message',
    bytes: msg(2, '0000 00ff 40010100'),
    code: 3,
    subcode: 1,
    handling: 'reset',
  },
  {
    name: 'attribute length overflows the attribute block',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}400308c0000202`), NLRI),
    code: 3,
    subcode: 5,
    handling: 'withdraw',
  },
  {
    name: 'MP_REACH length overflows the attribute block',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}800e30 0002011020010db8`), ''),
    code: 3,
    subcode: 5,
    handling: 'reset',
  },
  {
    name: 'duplicate ORIGIN is discarded (RFC 7606 §3 g)',
    bytes: update('', sp(`${BASE}40010101`), NLRI),
    code: 3,
    subcode: 1,
    handling: 'discard',
  },
  {
    name: 'duplicate MP_UNREACH resets (RFC 7606 §3 g)',
    bytes: update('', sp('800f03000201 800f03000201'), ''),
    code: 3,
    subcode: 1,
    handling: 'reset',
  },
  {
    name: 'NEXT_HOP 127.0.0.1 (martian)',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}4003047f000001`), NLRI),
    code: 3,
    subcode: 8,
    handling: 'withdraw',
  },
  {
    name: 'NEXT_HOP 0.0.0.0',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}40030400000000`), NLRI),
    code: 3,
    subcode: 8,
    handling: 'withdraw',
  },
  {
    name: 'NEXT_HOP of 3 bytes',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}400303c00002 40010100`.replace('40010100', '')), NLRI),
    code: 3,
    subcode: 5,
    handling: 'withdraw',
  },
  {
    name: 'truncated MP_REACH (next hop length beyond the attribute)',
    bytes: update('', sp(`800e08 0002 01 10 20010db8 0000${ORIGIN}${AS_PATH}`), ''),
    code: 3,
    subcode: 9,
    handling: 'reset',
  },
  {
    name: 'MP_REACH shorter than 5 bytes',
    bytes: update('', sp('800e03 000201'), ''),
    code: 3,
    subcode: 9,
    handling: 'reset',
  },
  {
    name: 'MP_REACH IPv6 next hop of 4 bytes',
    bytes: update('', sp('800e09 000201 04 c0000202 00'), ''),
    code: 3,
    subcode: 9,
    handling: 'reset',
  },
  {
    name: 'ORIGIN value 7',
    bytes: update('', sp(`40010107${AS_PATH}${NEXT_HOP}`), NLRI),
    code: 3,
    subcode: 6,
    handling: 'withdraw',
  },
  {
    name: 'ORIGIN flagged optional',
    bytes: update('', sp(`80010100${AS_PATH}${NEXT_HOP}`), NLRI),
    code: 3,
    subcode: 4,
    handling: 'withdraw',
  },
  {
    name: 'AS_PATH segment overrun',
    bytes: update('', sp(`${ORIGIN}400206020500 00fde9${NEXT_HOP}`), NLRI),
    code: 3,
    subcode: 11,
    handling: 'withdraw',
  },
  {
    name: 'missing NEXT_HOP with IPv4 NLRI',
    bytes: update('', sp(`${ORIGIN}${AS_PATH}`), NLRI),
    code: 3,
    subcode: 3,
    handling: 'withdraw',
    data: '03',
  },
  {
    name: 'unrecognized well-known attribute 251',
    bytes: update('', sp(`${BASE}40fb01aa`), NLRI),
    code: 3,
    subcode: 2,
    handling: 'withdraw',
  },
  {
    name: 'COMMUNITIES length not a multiple of 4',
    bytes: update('', sp(`${BASE}c00803fde900`), NLRI),
    code: 3,
    subcode: 5,
    handling: 'withdraw',
  },
  {
    name: 'NLRI prefix length 33',
    bytes: update('', sp(BASE), '2101020304 05'.replace(' ', '')),
    code: 3,
    subcode: 10,
    handling: 'reset',
  },
  {
    name: 'truncated NLRI prefix',
    bytes: update('', sp(BASE), '20c63364'),
    code: 3,
    subcode: 10,
    handling: 'reset',
  },
];

function errorOf(c: Case): WireError {
  try {
    const m = decodeMessage(c.bytes, c.ctx ?? CTX);
    if (m.type === 'update') {
      if (m.error) return m.error;
      if (m.discarded?.[0]) return m.discarded[0];
    }
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('no error reported');
}

describe('malformed messages map to the RFC code/subcode', () => {
  for (const c of CASES) {
    test(`${c.name} -> ${notificationName(c.code, c.subcode)} (${c.handling})`, () => {
      const e = errorOf(c);
      expect([e.code, e.subcode, e.handling]).toEqual([c.code, c.subcode, c.handling]);
      if (c.data !== undefined) expect(toHex(e.data)).toBe(c.data);
    });
  }

  test('a treat-as-withdraw error still locates the NLRI and the rest of the UPDATE', () => {
    const m = decodeMessage(update('', sp(`40010107${AS_PATH}${NEXT_HOP}c00804fde90064`), NLRI), CTX);
    expect(m.type).toBe('update');
    if (m.type !== 'update') return;
    expect(m.nlri).toEqual(['198.51.100.1/32']);
    expect(m.attributes.communities).toEqual([65001 * 65536 + 100]);
    expect(m.error?.subcode).toBe(6);
  });

  test('a duplicate ORIGIN keeps the first value', () => {
    const m = decodeMessage(update('', sp(`${BASE}40010102`), NLRI), CTX);
    expect(m.type === 'update' && m.attributes.origin).toBe(0);
    expect(m.type === 'update' && m.error).toBeUndefined();
  });

  test('an UPDATE above 4096 bytes is accepted once extended messages are negotiated', () => {
    const big = update('', sp(BASE), '20c6336401'.repeat(820));
    expect(big.length).toBeGreaterThan(4096);
    const m = decodeMessage(big, { as4: true, maxLength: 65535 });
    expect(m.type === 'update' && m.nlri.length).toBe(820);
  });

  test('unknown optional transitive attributes are kept; unknown capabilities are ignored', () => {
    const m = decodeMessage(update('', sp(`${BASE}c0fa02aabb`), NLRI), CTX);
    expect(m.type === 'update' && m.attributes.other).toEqual([
      { flags: 0xc0, code: 250, value: hex('aabb') },
    ]);
    const o = decodeMessage(msg(1, OPEN_BODY('04', 'fde9', '005a', '0a000001', '04 02 02 de00')), CTX);
    expect(o.type === 'open' && o.capabilities).toEqual([
      { code: 222, raw: new Uint8Array(0), unknown: true },
    ]);
  });

  describe('validateOpen (needs configuration)', () => {
    const open = (as: string, caps = '') => {
      const capHex = sp(caps);
      const opt = capHex
        ? `${(capHex.length / 2 + 2).toString(16).padStart(2, '0')}02${(capHex.length / 2).toString(16).padStart(2, '0')}${capHex}`
        : '00';
      const m = decodeMessage(msg(1, OPEN_BODY('04', as, '005a', '0a000001', opt)), CTX);
      if (m.type !== 'open') throw new Error('not open');
      return m;
    };
    const expectOk = { peerASN: 65001, localASN: 65000, localBgpId: '10.0.0.9' };
    test('matching AS passes', () =>
      expect(validateOpen(open('fde9', '4104 0000fde9'), expectOk)).toBeUndefined());
    test('bad peer AS -> 2/2', () => {
      const e = validateOpen(open('fdea'), expectOk)!;
      expect([e.code, e.subcode]).toEqual([2, 2]);
    });
    test('2-octet AS disagreeing with capability 65 -> 2/2', () => {
      const e = validateOpen(open('fde8', '4104 0000fde9'), expectOk)!;
      expect([e.code, e.subcode]).toEqual([2, 2]);
    });
    test('4-octet ASN with AS_TRANS passes', () =>
      expect(
        validateOpen(open('5ba0', '4104 fa56ea01'), { ...expectOk, peerASN: 4200000001 }),
      ).toBeUndefined());
    test('iBGP peer with our own identifier -> 2/3', () => {
      const e = validateOpen(open('fde9'), { peerASN: 65001, localASN: 65001, localBgpId: '10.0.0.1' })!;
      expect([e.code, e.subcode]).toEqual([2, 3]);
    });
  });
});

describe('loopback next hop', () => {
  const update = encodeUpdate(
    {
      withdrawn: [],
      attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: '127.0.0.1' },
      nlri: ['172.198.1.1/32'],
    },
    { as4: true },
  );

  test('127/8 is a martian NEXT_HOP for a router: treat-as-withdraw with 3/8', () => {
    const m = decodeMessage(update, { as4: true, maxLength: 4096 });
    expect(m.type).toBe('update');
    if (m.type !== 'update') return;
    expect(m.error).toMatchObject({ code: 3, subcode: 8, handling: 'withdraw' });
  });

  test('a collector on loopback accepts it (the demo)', () => {
    const m = decodeMessage(update, { as4: true, maxLength: 4096, loopbackNextHop: true });
    if (m.type !== 'update') throw new Error('not an update');
    expect(m.error).toBeUndefined();
    expect(m.attributes.nextHop).toBe('127.0.0.1');
  });
});
