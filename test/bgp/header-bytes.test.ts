/** wire/header.ts, wire/message.ts, wire/route-refresh.ts: header rules per type, exact errors and bytes. */
import { describe, expect, test } from 'bun:test';
import type { WireError } from '../../agent/bgp/wire/errors.ts';
import {
  checkHeader,
  checkTypeLength,
  HEADER_LENGTH,
  MAX_EXTENDED_MESSAGE,
  MAX_MESSAGE,
  MessageType,
  messageTypeOf,
  newMessage,
  TYPE_OFFSET,
} from '../../agent/bgp/wire/header.ts';
import { DEFAULT_CONTEXT, decodeMessage, encodeMessage } from '../../agent/bgp/wire/message.ts';
import {
  decodeRouteRefresh,
  encodeKeepalive,
  encodeRouteRefresh,
  RouteRefreshSubtype,
} from '../../agent/bgp/wire/route-refresh.ts';
import { MARKER, msg, thrown, toHex } from './hex.ts';

const brief = (e: WireError) => [e.code, e.subcode, e.message, toHex(e.data)];

test('constants', () => {
  expect([HEADER_LENGTH, MAX_MESSAGE, MAX_EXTENDED_MESSAGE, TYPE_OFFSET]).toEqual([19, 4096, 65535, 18]);
  expect(MessageType).toEqual({ OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 });
  expect(RouteRefreshSubtype).toEqual({ Normal: 0, BoRR: 1, EoRR: 2 });
  expect(DEFAULT_CONTEXT).toEqual({ as4: true, maxLength: 4096 });
});

test('newMessage: marker, both length octets, type; messageTypeOf reads it back', () => {
  const m = newMessage(5, 0x0123);
  expect(m.length).toBe(0x0123);
  expect(toHex(m.subarray(0, 20))).toBe(`${MARKER}0123` + '05' + '00');
  expect(messageTypeOf(m)).toBe(5);
  expect(messageTypeOf(new Uint8Array(18))).toBeUndefined();
});

describe('checkHeader', () => {
  const at = (len: number, off = 0) => {
    const b = new Uint8Array(off + 19);
    b.set(newMessage(4, 19), off);
    b[off + 16] = len >> 8;
    b[off + 17] = len & 255;
    return b;
  };
  test('lengths 19 to the maximum pass, at any offset', () => {
    expect(checkHeader(at(19), 0, 4096)).toBe(19);
    expect(checkHeader(at(4096), 0, 4096)).toBe(4096);
    expect(checkHeader(at(0x1234, 3), 3, 65535)).toBe(0x1234);
  });
  test('18 and max + 1 are 1/2 with the length as data', () => {
    expect(brief(thrown(() => checkHeader(at(18), 0, 4096)))).toEqual([
      1,
      2,
      'Message Header Error/Bad Message Length: length 18 outside 19..4096',
      '0012',
    ]);
    expect(brief(thrown(() => checkHeader(at(4097, 2), 2, 4096)))).toEqual([
      1,
      2,
      'Message Header Error/Bad Message Length: length 4097 outside 19..4096',
      '1001',
    ]);
  });
  test('any marker octet not 0xff is 1/1', () => {
    for (const i of [0, 7, 15]) {
      const b = at(19, 1);
      b[1 + i] = 0xfe;
      expect(brief(thrown(() => checkHeader(b, 1, 4096)))).toEqual([
        1,
        1,
        'Message Header Error/Connection Not Synchronized: marker is not all ones',
        '',
      ]);
    }
    // the octet before the offset is not part of the marker
    const b = at(19, 1);
    b[0] = 0;
    expect(checkHeader(b, 1, 4096)).toBe(19);
  });
});

describe('checkTypeLength', () => {
  const ok: [number, number][] = [
    [1, 29],
    [2, 23],
    [3, 21],
    [4, 19],
    [5, 23],
    [1, 4096],
    [2, 4096],
  ];
  for (const [type, len] of ok) test(`type ${type} length ${len} passes`, () => checkTypeLength(type, len));
  const short: [number, number][] = [
    [1, 28],
    [2, 22],
    [3, 20],
    [4, 18],
    [4, 20],
  ];
  for (const [type, len] of short)
    test(`type ${type} length ${len}: 1/2`, () =>
      expect(brief(thrown(() => checkTypeLength(type, len)))).toEqual([
        1,
        2,
        `Message Header Error/Bad Message Length: length ${len} invalid for type ${type}`,
        toHex(new Uint8Array([len >> 8, len & 255])),
      ]));
  test('unknown types 0 and 6: 1/3 with the type', () => {
    for (const t of [0, 6])
      expect(brief(thrown(() => checkTypeLength(t, 19)))).toEqual([
        1,
        3,
        `Message Header Error/Bad Message Type: unknown type ${t}`,
        toHex(new Uint8Array([t])),
      ]);
  });
  test('ROUTE-REFRESH not 23 octets: 7/1 with the whole message, or the length without one', () => {
    const m = msg(5, '0001000100');
    expect(brief(thrown(() => checkTypeLength(5, 24, m)))).toEqual([
      7,
      1,
      'ROUTE-REFRESH Message Error/Invalid Message Length: ROUTE-REFRESH length 24',
      toHex(m),
    ]);
    expect(brief(thrown(() => checkTypeLength(5, 22)))).toEqual([
      7,
      1,
      'ROUTE-REFRESH Message Error/Invalid Message Length: ROUTE-REFRESH length 22',
      '0016',
    ]);
  });
});

describe('decodeMessage / encodeMessage', () => {
  test('a message shorter than a header, and a length field that disagrees', () => {
    expect(brief(thrown(() => decodeMessage(new Uint8Array(18).fill(0xff))))).toEqual([
      1,
      2,
      'Message Header Error/Bad Message Length: short message (18 bytes)',
      '',
    ]);
    const k = encodeKeepalive();
    const longer = new Uint8Array([...k, 0]);
    expect(brief(thrown(() => decodeMessage(longer)))).toEqual([
      1,
      2,
      'Message Header Error/Bad Message Length: length field 19 but 20 bytes',
      '',
    ]);
  });
  test('the negotiated maximum length', () => {
    // a 4097-byte UPDATE: one unknown optional attribute of 4070 bytes
    const m = newMessage(2, 4097);
    m.set([0, 0, 0x0f, 0xea, 0xd0, 99, 0x0f, 0xe6], 19);
    expect(brief(thrown(() => decodeMessage(m, { as4: true, maxLength: 4096 })))).toEqual([
      1,
      2,
      'Message Header Error/Bad Message Length: length 4097 outside 19..4096',
      '1001',
    ]);
    const u = decodeMessage(m, { as4: true, maxLength: 65535 });
    expect(u.type === 'update' && u.attributes.other?.[0]?.value.length).toBe(4070);
  });
  test('KEEPALIVE and ROUTE-REFRESH byte for byte', () => {
    const k = encodeKeepalive();
    expect(toHex(k)).toBe(`${MARKER}001304`);
    k[18] = 9;
    expect(toHex(encodeKeepalive())).toBe(`${MARKER}001304`);
    expect(toHex(encodeMessage({ type: 'keepalive' }))).toBe(`${MARKER}001304`);
    const rr = encodeRouteRefresh({ afi: 0x0102, safi: 0x80, subtype: 2 });
    expect(toHex(rr)).toBe(`${MARKER}001705` + '0102' + '02' + '80');
    expect(decodeRouteRefresh(rr)).toEqual({ type: 'route-refresh', afi: 0x0102, safi: 0x80, subtype: 2 });
    expect(decodeMessage(rr)).toEqual({ type: 'route-refresh', afi: 0x0102, safi: 0x80, subtype: 2 });
    expect(toHex(encodeMessage({ type: 'route-refresh', afi: 2, safi: 1, subtype: 0 }))).toBe(
      `${MARKER}001705` + '0002' + '00' + '01',
    );
  });
  test('NOTIFICATION, OPEN and UPDATE through encodeMessage/decodeMessage', () => {
    const n = encodeMessage({ type: 'notification', code: 6, subcode: 2, data: new Uint8Array([1, 2]) });
    expect(toHex(n)).toBe(`${MARKER}001703` + '0602' + '0102');
    expect(decodeMessage(n)).toEqual({
      type: 'notification',
      code: 6,
      subcode: 2,
      data: new Uint8Array([1, 2]),
    });
    const u = encodeMessage({ type: 'update', withdrawn: ['10.0.0.0/8'], attributes: {}, nlri: [] });
    expect(toHex(u)).toBe(`${MARKER}001902` + '0002' + '080a' + '0000');
    expect(decodeMessage(u)).toEqual({ type: 'update', withdrawn: ['10.0.0.0/8'], attributes: {}, nlri: [] });
    const o = encodeMessage({
      type: 'open',
      version: 4,
      myAS: 1,
      holdTime: 0,
      bgpId: '1.2.3.4',
      capabilities: [],
    });
    expect(toHex(o)).toBe(`${MARKER}001d01` + '04' + '0001' + '0000' + '01020304' + '00');
    expect(decodeMessage(o)).toEqual({
      type: 'open',
      version: 4,
      myAS: 1,
      holdTime: 0,
      bgpId: '1.2.3.4',
      capabilities: [],
    });
  });
});
