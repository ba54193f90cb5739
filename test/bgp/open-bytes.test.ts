/** wire/open.ts: OPEN bytes at the one-octet / RFC 9072 boundary, and decode errors with exact codes. */
import { describe, expect, test } from 'bun:test';
import type { Capability } from '../../agent/bgp/wire/capabilities.ts';
import { WireError } from '../../agent/bgp/wire/errors.ts';
import {
  AS_TRANS,
  decodeOpen,
  encodeOpen,
  openFor,
  peerASNOf,
  validateOpen,
} from '../../agent/bgp/wire/open.ts';
import { hex, MARKER, toHex } from './hex.ts';

const rawCap = (n: number): Capability => ({ code: 99, raw: new Uint8Array(n).fill(7), unknown: true });

test('AS_TRANS is 23456; My AS holds it for an ASN over 65535', () => {
  expect(AS_TRANS).toBe(23456);
  expect(openFor(65535, 90, '10.0.0.1', []).myAS).toBe(65535);
  expect(openFor(65536, 90, '10.0.0.1', []).myAS).toBe(AS_TRANS);
  expect(openFor(65001, 90, '10.0.0.1', [])).toEqual({
    type: 'open',
    version: 4,
    myAS: 65001,
    holdTime: 90,
    bgpId: '10.0.0.1',
    capabilities: [],
  });
});

test('an OPEN byte for byte', () => {
  const b = encodeOpen(openFor(0x1234, 0x0102, '10.1.2.3', [{ code: 1, afi: 2, safi: 1 }, { code: 2 }]));
  expect(toHex(b)).toBe(
    `${MARKER}0029` +
      '01' +
      '04' +
      '1234' +
      '0102' +
      '0a010203' +
      '0c' +
      '0206' +
      '010400020001' +
      '0202' +
      '0200',
  );
  expect(decodeOpen(b)).toEqual({
    type: 'open',
    version: 4,
    myAS: 0x1234,
    holdTime: 0x0102,
    bgpId: '10.1.2.3',
    capabilities: [{ code: 1, afi: 2, safi: 1 }, { code: 2 }],
  });
});

test('255 bytes of parameters keep the one-octet form; 256 take the extended form', () => {
  // one parameter: type, length, then the capability (code, length, 251 value bytes) = 255 bytes
  const at255 = encodeOpen(openFor(65001, 90, '10.0.0.1', [rawCap(251)]));
  expect(at255.length).toBe(29 + 255);
  expect([at255[28], at255[29], at255[30], at255[31], at255[32]]).toEqual([255, 2, 253, 99, 251]);
  expect(decodeOpen(at255).capabilities).toEqual([rawCap(251)]);
  const at256 = encodeOpen(openFor(65001, 90, '10.0.0.1', [rawCap(252)]));
  expect(at256.length).toBe(32 + 257);
  expect([...at256.subarray(28, 37)]).toEqual([255, 255, 1, 1, 2, 0, 254, 99, 252]);
  expect(decodeOpen(at256).capabilities).toEqual([rawCap(252)]);
  // two capabilities that together pass 255: each its own extended parameter
  const two = encodeOpen(openFor(65001, 90, '10.0.0.1', [rawCap(200), rawCap(60)]));
  expect([...two.subarray(28, 32)]).toEqual([255, 255, 1, 14]);
  expect([...two.subarray(32, 35)]).toEqual([2, 0, 202]);
  expect([...two.subarray(32 + 205, 32 + 208)]).toEqual([2, 0, 62]);
  expect(decodeOpen(two).capabilities).toEqual([rawCap(200), rawCap(60)]);
});

/** An OPEN from body hex after the header (version onwards), header length filled in. */
function open(body: string): Uint8Array {
  const b = hex(body);
  return hex(MARKER + (19 + b.length).toString(16).padStart(4, '0') + '01' + toHex(b));
}
const HEAD = '04fde9005a0a000002';

describe('decodeOpen errors', () => {
  const cases: [string, string, number, string][] = [
    ['version 3', '03fde9005a0a00000200', 1, 'Unsupported Version Number: version 3'],
    ['hold time 1', '04fde900010a00000200', 6, 'Unacceptable Hold Time: hold time 1'],
    ['hold time 2', '04fde900020a00000200', 6, 'Unacceptable Hold Time: hold time 2'],
    ['identifier 0.0.0.0', '04fde9005a0000000000', 3, 'Bad BGP Identifier: BGP identifier 0.0.0.0'],
    [
      'parameters length too long',
      `${HEAD}05020302`,
      0,
      'optional parameters length 5 disagrees with message',
    ],
    [
      'parameters length too short',
      `${HEAD}010202`,
      0,
      'optional parameters length 1 disagrees with message',
    ],
    ['parameter overruns', `${HEAD}03020302`, 0, 'optional parameter overruns'],
    ['parameter header cut', `${HEAD}0102`, 0, 'optional parameter overruns'],
    ['parameter type 1', `${HEAD}020100`, 4, 'Unsupported Optional Parameter: parameter type 1'],
    ['capability header cut', `${HEAD}03020102`, 0, 'capability header overruns'],
    ['capability value overruns', `${HEAD}0402020201`, 0, 'capability value overruns'],
    ['extended form cut', `${HEAD}ffff00`, 0, 'truncated extended optional parameters'],
    ['extended form without its length', `${HEAD}ffff`, 0, 'truncated extended optional parameters'],
    [
      'extended length disagrees',
      `${HEAD}ffff0004020000`,
      0,
      'optional parameters length 4 disagrees with message',
    ],
    ['extended parameter overruns', `${HEAD}ffff000302000a`, 0, 'optional parameter overruns'],
    ['extended parameter header cut', `${HEAD}ffff00020200`, 0, 'optional parameter overruns'],
  ];
  for (const [name, body, subcode, text] of cases)
    test(name, () => {
      let err: unknown;
      try {
        decodeOpen(open(body));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WireError);
      const w = err as WireError;
      expect([w.code, w.subcode]).toEqual([2, subcode]);
      expect(w.message).toBe(`OPEN Message Error${subcode ? '/' : ': '}${text}`);
    });

  test('unsupported version data: the version we speak, two octets', () => {
    try {
      decodeOpen(open('05fde9005a0a00000200'));
    } catch (e) {
      expect((e as WireError).data).toEqual(new Uint8Array([0, 4]));
    }
  });

  test('valid edges: hold time 0 and 3, no parameters, an empty parameter, extended with none', () => {
    expect(decodeOpen(open('04fde900000a00000200')).holdTime).toBe(0);
    expect(decodeOpen(open('04fde900030a00000200')).holdTime).toBe(3);
    expect(decodeOpen(open(`${HEAD}020200`)).capabilities).toEqual([]);
    expect(decodeOpen(open(`${HEAD}ffff0000`)).capabilities).toEqual([]);
    expect(decodeOpen(open(`${HEAD}ffff0003020000`)).capabilities).toEqual([]);
    expect(decodeOpen(open(`${HEAD}ffff00050200020200`)).capabilities).toEqual([{ code: 2 }]);
    // 255 as a plain length whose first parameter is not 255: not the extended form
    const caps = '02' + 'fd' + '63' + 'fb' + '07'.repeat(251);
    expect(decodeOpen(open(`${HEAD}ff${caps}`)).capabilities).toEqual([rawCap(251)]);
  });
});

describe('peer ASN and validateOpen', () => {
  const m = (myAS: number, caps: Capability[], bgpId = '10.0.0.2') => ({
    type: 'open' as const,
    version: 4,
    myAS,
    holdTime: 90,
    bgpId,
    capabilities: caps,
  });
  test('capability 65 wins over My AS; an unparsed one does not count', () => {
    expect(peerASNOf(m(AS_TRANS, [{ code: 65, asn: 70000 }]))).toBe(70000);
    expect(peerASNOf(m(65001, []))).toBe(65001);
    expect(peerASNOf(m(65001, [{ code: 65, raw: new Uint8Array(3), unknown: true }]))).toBe(65001);
  });
  test('errors: 2/2 with My AS as data; 2/3 for an iBGP peer with our identifier', () => {
    const local = { peerASN: 70000, localASN: 65001, localBgpId: '10.0.0.1' };
    expect(validateOpen(m(AS_TRANS, [{ code: 65, asn: 70000 }]), local)).toBeUndefined();
    const bad = validateOpen(m(AS_TRANS, [{ code: 65, asn: 70001 }]), local);
    expect([bad?.code, bad?.subcode, toHex(bad?.data ?? new Uint8Array())]).toEqual([2, 2, '5ba0']);
    expect(bad?.message).toBe('OPEN Message Error/Bad Peer AS: peer AS 70001 (My AS 23456), expected 70000');
    // My AS must be AS_TRANS for a 4-octet ASN, and the ASN itself for a 2-octet one
    expect(validateOpen(m(70000 & 0xffff, [{ code: 65, asn: 70000 }]), local)?.subcode).toBe(2);
    const two = { peerASN: 65000, localASN: 65001, localBgpId: '10.0.0.1' };
    expect(validateOpen(m(65000, [{ code: 65, asn: 65000 }]), two)).toBeUndefined();
    expect(validateOpen(m(AS_TRANS, [{ code: 65, asn: 65000 }]), two)?.subcode).toBe(2);
    const ibgp = { peerASN: 65001, localASN: 65001, localBgpId: '10.0.0.1' };
    expect(validateOpen(m(65001, [], '10.0.0.2'), ibgp)).toBeUndefined();
    const same = validateOpen(m(65001, [], '10.0.0.1'), ibgp);
    expect([same?.code, same?.subcode, same?.message]).toEqual([
      2,
      3,
      'OPEN Message Error/Bad BGP Identifier: iBGP peer uses our identifier 10.0.0.1',
    ]);
    expect(validateOpen(m(65000, [], '10.0.0.1'), two)).toBeUndefined();
  });
});

test('an extended parameter of 256 bytes writes both length octets', () => {
  const b = encodeOpen(openFor(65001, 90, '10.0.0.1', [rawCap(254)]));
  expect([...b.subarray(28, 37)]).toEqual([255, 255, 1, 3, 2, 1, 0, 99, 254]);
  expect(decodeOpen(b).capabilities).toEqual([rawCap(254)]);
});
