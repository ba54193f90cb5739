/** wire/nlri.ts, wire/mp-nlri.ts, wire/update.ts at their edges: exact prefixes, errors and bytes. */
import { describe, expect, test } from 'bun:test';
import { WireError } from '../../agent/bgp/wire/errors.ts';
import {
  decodeMPReach,
  decodeMPUnreach,
  encodeMPReach,
  encodeMPUnreach,
} from '../../agent/bgp/wire/mp-nlri.ts';
import {
  decodePrefixes,
  encodePrefixes,
  prefixWireLength,
  toWirePrefixes,
  writePrefix,
} from '../../agent/bgp/wire/nlri.ts';
import { decodeUpdate, encodeEndOfRib, encodeUpdate, endOfRibFamily } from '../../agent/bgp/wire/update.ts';
import { hex, MARKER, thrown, toHex, update } from './hex.ts';

const brief = (e: WireError) => [e.code, e.subcode, e.message, toHex(e.data), e.handling];

describe('decodePrefixes', () => {
  const d4 = (h: string, start = 0, end?: number) => {
    const b = hex(h);
    return decodePrefixes(b, start, end ?? b.length, 1);
  };
  test('lengths up to the family maximum; host bits cleared', () => {
    expect(d4('200a000001')).toEqual(['10.0.0.1/32']);
    expect(d4('210a00000100')).toBeUndefined();
    expect(d4('00')).toEqual(['0.0.0.0/0']);
    expect(d4('140a0bff')).toEqual(['10.11.240.0/20']);
    expect(d4('190a0b0cff')).toEqual(['10.11.12.128/25']);
    expect(d4('0fffff')).toEqual(['255.254.0.0/15']);
    expect(d4('01ff')).toEqual(['128.0.0.0/1']);
    const v6 = (h: string) => decodePrefixes(hex(h), 0, hex(h).length, 2);
    expect(v6(`80${'20010db8'}${'00'.repeat(11)}01`)).toEqual(['2001:db8::1/128']);
    expect(v6(`81${'00'.repeat(17)}`)).toBeUndefined();
    expect(v6('4120010db800000000ff')).toEqual(['2001:db8:0:0:8000::/65']);
  });
  test('a prefix running past the end is refused; the end bounds the run', () => {
    expect(d4('180a00')).toBeUndefined();
    expect(d4('180a0000', 0, 3)).toBeUndefined();
    expect(d4('180a0000' + '08', 0, 4)).toEqual(['10.0.0.0/24']);
    expect(d4('ff' + '080a', 1)).toEqual(['10.0.0.0/8']);
  });
  test('encoding: length octet and the significant bytes', () => {
    const ps = toWirePrefixes(['10.0.0.0/8', '10.1.128.0/17', '0.0.0.0/0'], 1);
    expect(ps.map(prefixWireLength)).toEqual([2, 4, 1]);
    expect(toHex(encodePrefixes(ps))).toBe('080a' + '110a0180' + '00');
    const out = new Uint8Array(6);
    expect(writePrefix(out, 1, ps[1]!)).toBe(5);
    expect(toHex(out)).toBe('00110a018000');
    expect(() => toWirePrefixes(['2001:db8::/32'], 1)).toThrow('not an IPv4 prefix: 2001:db8::/32');
    expect(() => toWirePrefixes(['10.0.0.0/8'], 2)).toThrow('not an IPv6 prefix: 10.0.0.0/8');
    expect(() => toWirePrefixes(['x'], 1)).toThrow('not an IPv4 prefix: x');
  });
});

describe('MP_REACH_NLRI / MP_UNREACH_NLRI', () => {
  const whole = hex('ee');
  const reachErr = (h: string) => brief(thrown(() => decodeMPReach(hex(h), whole)));
  const nh16 = '20010db8' + '00'.repeat(11) + '01';
  test('errors are 3/9, reset, with the whole attribute as data', () => {
    expect(reachErr('00020110')).toEqual([
      3,
      9,
      'UPDATE Message Error/Optional Attribute Error: MP_REACH_NLRI length 4',
      'ee',
      'reset',
    ]);
    expect(reachErr(`00020110${nh16.slice(2)}00`)).toEqual([
      3,
      9,
      'UPDATE Message Error/Optional Attribute Error: MP_REACH_NLRI next hop length 16 overruns',
      'ee',
      'reset',
    ]);
    expect(reachErr('000201040a00000100')).toEqual([
      3,
      9,
      'UPDATE Message Error/Optional Attribute Error: MP_REACH_NLRI next hop length 4 for AFI 2',
      'ee',
      'reset',
    ]);
    expect(reachErr(`00020110${nh16}00` + '81')).toEqual([
      3,
      9,
      'UPDATE Message Error/Optional Attribute Error: MP_REACH_NLRI NLRI malformed',
      'ee',
      'reset',
    ]);
    expect(brief(thrown(() => decodeMPUnreach(hex('0002'), whole)))).toEqual([
      3,
      9,
      'UPDATE Message Error/Optional Attribute Error: MP_UNREACH_NLRI length 2',
      'ee',
      'reset',
    ]);
    expect(brief(thrown(() => decodeMPUnreach(hex('00010120'), whole)))).toEqual([
      3,
      9,
      'UPDATE Message Error/Optional Attribute Error: MP_UNREACH_NLRI withdrawn routes malformed',
      'ee',
      'reset',
    ]);
  });
  test('next hop lengths: IPv6 16 or 32; other AFIs any; the shortest value', () => {
    expect(decodeMPReach(hex(`00020110${nh16}00`), whole)).toEqual({
      afi: 2,
      safi: 1,
      nextHop: hex(nh16),
      nlri: [],
    });
    expect(decodeMPReach(hex(`00020120${nh16}${nh16}00`), whole).nextHop.length).toBe(32);
    expect(() => decodeMPReach(hex(`0002010f${nh16.slice(2)}00`), whole)).toThrow(WireError);
    expect(() => decodeMPReach(hex(`00010105${'0a00000101'}00`), whole)).toThrow(WireError);
    expect(decodeMPReach(hex('0003010100' + '00'), whole)).toEqual({
      afi: 3,
      safi: 1,
      nextHop: hex('00'),
      nlri: [],
      nlriRaw: new Uint8Array(0),
    });
    expect(decodeMPReach(hex('0001020400000000' + '00' + '080a'), whole)).toEqual({
      afi: 1,
      safi: 2,
      nextHop: hex('00000000'),
      nlri: [],
      nlriRaw: hex('080a'),
    });
    expect(decodeMPReach(hex('0003010000'), whole)).toEqual({
      afi: 3,
      safi: 1,
      nextHop: new Uint8Array(0),
      nlri: [],
      nlriRaw: new Uint8Array(0),
    });
    expect(decodeMPUnreach(hex('000201'), whole)).toEqual({ afi: 2, safi: 1, withdrawn: [] });
    expect(decodeMPUnreach(hex('000202' + '01'), whole)).toEqual({
      afi: 2,
      safi: 2,
      withdrawn: [],
      withdrawnRaw: hex('01'),
    });
    expect(decodeMPUnreach(hex('000101' + '080a'), whole)).toEqual({
      afi: 1,
      safi: 1,
      withdrawn: ['10.0.0.0/8'],
    });
  });
  test('encoding byte for byte; extended length over 255 bytes', () => {
    expect(toHex(encodeMPReach({ afi: 2, safi: 1, nextHop: hex(nh16), nlri: ['2001:db8::/32'] }))).toBe(
      '800e' + '1a' + '000201' + '10' + nh16 + '00' + '2020010db8',
    );
    expect(
      toHex(encodeMPReach({ afi: 1, safi: 2, nextHop: hex('0a000001'), nlri: [], nlriRaw: hex('abcd') })),
    ).toBe('800e' + '0b' + '000102' + '04' + '0a000001' + '00' + 'abcd');
    const many = Array.from({ length: 14 }, (_, i) => `2001:db8:${i.toString(16)}::1/128`);
    const big = encodeMPReach({ afi: 2, safi: 1, nextHop: hex(nh16), nlri: many });
    expect(toHex(big.subarray(0, 4))).toBe('900e' + (5 + 16 + 14 * 17).toString(16).padStart(4, '0'));
    expect(toHex(encodeMPUnreach({ afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] }))).toBe(
      '800f' + '08' + '000201' + '2020010db8',
    );
    expect(toHex(encodeMPUnreach({ afi: 2, safi: 1, withdrawn: [], withdrawnRaw: hex('ff') }))).toBe(
      '800f' + '04' + '000201' + 'ff',
    );
  });
});

describe('decodeUpdate', () => {
  const ctx = { as4: true };
  test('length errors: 3/1 malformed attribute list, reset', () => {
    expect(brief(thrown(() => decodeUpdate(hex(`${MARKER}001702` + '0001' + '00'), ctx)))).toEqual([
      3,
      1,
      'UPDATE Message Error/Malformed Attribute List: withdrawn routes length 1 overruns',
      '',
      'reset',
    ]);
    expect(
      brief(thrown(() => decodeUpdate(hex(`${MARKER}001802` + '0000' + '0001'), ctx))).slice(0, 3),
    ).toEqual([
      3,
      1,
      'UPDATE Message Error/Malformed Attribute List: total path attribute length 1 overruns',
    ]);
    // one octet left after the withdrawn routes: the total path attribute length does not fit
    expect(
      brief(thrown(() => decodeUpdate(hex(`${MARKER}001802` + '0002' + '080a' + '00'), ctx))).slice(0, 3),
    ).toEqual([3, 1, 'UPDATE Message Error/Malformed Attribute List: withdrawn routes length 2 overruns']);
    // exactly enough: no error
    expect(decodeUpdate(hex(`${MARKER}001902` + '0002' + '080a' + '0000'), ctx).withdrawn).toEqual([
      '10.0.0.0/8',
    ]);
  });
  test('a bad prefix is 3/10', () => {
    expect(brief(thrown(() => decodeUpdate(update('21', '', ''), ctx))).slice(0, 3)).toEqual([
      3,
      10,
      'UPDATE Message Error/Invalid Network Field: bad withdrawn prefix',
    ]);
    expect(brief(thrown(() => decodeUpdate(update('', '', '21'), ctx))).slice(0, 3)).toEqual([
      3,
      10,
      'UPDATE Message Error/Invalid Network Field: bad NLRI prefix',
    ]);
  });
  const ORIGIN = '40010100';
  const AS_PATH = '400200';
  const NEXT_HOP = '4003040a000001';
  const missing = (attrs: string, nlri: string) => decodeUpdate(update('', attrs, nlri), ctx).error;
  test('missing well-known attributes only matter when something is announced, in type-code order', () => {
    expect(missing('', '')).toBeUndefined();
    expect(missing('', '080a')?.message).toBe(
      'UPDATE Message Error/Missing Well-known Attribute: missing attribute 1',
    );
    expect(missing(ORIGIN, '080a')?.data).toEqual(new Uint8Array([2]));
    expect(missing(ORIGIN + AS_PATH, '080a')?.data).toEqual(new Uint8Array([3]));
    expect(missing(AS_PATH + NEXT_HOP, '080a')?.data).toEqual(new Uint8Array([1]));
    expect(missing(ORIGIN + AS_PATH + NEXT_HOP, '080a')).toBeUndefined();
    const e = missing(ORIGIN, '080a');
    expect([e?.code, e?.subcode, e?.handling]).toEqual([3, 3, 'withdraw']);
    // MP_REACH_NLRI with NLRI needs ORIGIN and AS_PATH but no NEXT_HOP
    const nh16 = '20010db8' + '00'.repeat(11) + '01';
    const reach = `900e001a000201${'10'}${nh16}00${'2020010db8'}`;
    expect(missing(reach, '')?.data).toEqual(new Uint8Array([1]));
    expect(missing(reach + ORIGIN + AS_PATH, '')).toBeUndefined();
    // an empty MP_REACH_NLRI announces nothing; raw NLRI of another SAFI does
    expect(missing(`900e0015000201${'10'}${nh16}00`, '')).toBeUndefined();
    expect(missing(`900e0017000202${'10'}${nh16}00${'abcd'}`, '')?.data).toEqual(new Uint8Array([1]));
    // an earlier attribute error is kept instead
    expect(missing('40010103', '080a')?.subcode).toBe(6);
  });
  test('discarded attributes are listed; none: no field', () => {
    const u = decodeUpdate(update('', `${ORIGIN}${AS_PATH}${NEXT_HOP}400601ff`, '080a'), ctx);
    expect(u.discarded?.map((d) => d.subcode)).toEqual([5]);
    expect('discarded' in decodeUpdate(update('', '', ''), ctx)).toBe(false);
    expect('error' in decodeUpdate(update('', '', ''), ctx)).toBe(false);
  });
});

describe('End-of-RIB', () => {
  test('bytes', () => {
    expect(toHex(encodeEndOfRib('ipv4'))).toBe(`${MARKER}001702` + '0000' + '0000');
    expect(toHex(encodeEndOfRib('ipv6'))).toBe(`${MARKER}001d02` + '0000' + '0006' + '800f03000201');
  });
  test('which UPDATE is one', () => {
    const eor = (w: string[], attributes: object, nlri: string[]) =>
      endOfRibFamily({ type: 'update', withdrawn: w, attributes, nlri });
    expect(eor([], {}, [])).toBe('ipv4');
    expect(eor(['10.0.0.0/8'], {}, [])).toBeUndefined();
    expect(eor([], {}, ['10.0.0.0/8'])).toBeUndefined();
    expect(eor([], { mpUnreach: { afi: 2, safi: 1, withdrawn: [] } }, [])).toBe('ipv6');
    expect(eor([], { mpUnreach: { afi: 1, safi: 1, withdrawn: [] } }, [])).toBe('ipv4');
    expect(eor([], { mpUnreach: { afi: 3, safi: 1, withdrawn: [] } }, [])).toBeUndefined();
    expect(eor([], { mpUnreach: { afi: 2, safi: 2, withdrawn: [] } }, [])).toBeUndefined();
    expect(eor([], { mpUnreach: { afi: 2, safi: 1, withdrawn: ['2001:db8::/32'] } }, [])).toBeUndefined();
    expect(
      eor([], { mpUnreach: { afi: 2, safi: 1, withdrawn: [], withdrawnRaw: hex('00') } }, []),
    ).toBeUndefined();
    expect(eor([], { mpUnreach: { afi: 2, safi: 1, withdrawn: [], withdrawnRaw: hex('') } }, [])).toBe(
      'ipv6',
    );
    expect(eor([], { mpUnreach: { afi: 2, safi: 1, withdrawn: [] }, origin: 0 }, [])).toBeUndefined();
    expect(eor([], { origin: 0 }, [])).toBeUndefined();
    expect(endOfRibFamily(decodeUpdate(encodeEndOfRib('ipv6'), { as4: true }))).toBe('ipv6');
  });
  test('encodeUpdate byte for byte', () => {
    expect(
      toHex(
        encodeUpdate(
          { withdrawn: ['10.0.0.0/8'], attributes: { origin: 1 }, nlri: ['10.1.0.0/16'] },
          { as4: true },
        ),
      ),
    ).toBe(`${MARKER}002002` + '0002' + '080a' + '0004' + '40010101' + '100a01');
  });
});

describe('MP_* at byte edges', () => {
  const nh16 = '20010db8' + '00'.repeat(11) + '01';
  test('both AFI octets, both ways', () => {
    expect(decodeMPUnreach(hex('4004' + '47' + 'ab'), hex(''))).toEqual({
      afi: 0x4004,
      safi: 0x47,
      withdrawn: [],
      withdrawnRaw: hex('ab'),
    });
    expect(
      toHex(encodeMPReach({ afi: 0x4004, safi: 0x47, nextHop: hex('01'), nlri: [], nlriRaw: hex('') })),
    ).toBe('800e06' + '4004' + '47' + '01' + '01' + '00');
    expect(toHex(encodeMPUnreach({ afi: 1, safi: 1, withdrawn: ['10.0.0.0/8'] }))).toBe(
      '800f05' + '000101' + '080a',
    );
    expect(toHex(encodeMPUnreach({ afi: 0x0103, safi: 1, withdrawn: [], withdrawnRaw: hex('') }))).toBe(
      '800f03' + '0103' + '01',
    );
  });
  test('an MP_REACH_NLRI value of exactly 255 bytes keeps the one-octet length', () => {
    const nlri = [...Array.from({ length: 13 }, (_, i) => `2001:db8::${i + 1}/128`), '2001:db8:1::/96'];
    const b = encodeMPReach({ afi: 2, safi: 1, nextHop: hex(nh16), nlri });
    expect(b.length).toBe(3 + 255);
    expect(toHex(b.subarray(0, 3))).toBe('800eff');
    const b256 = encodeMPReach({
      afi: 2,
      safi: 1,
      nextHop: hex(nh16),
      nlri: [...nlri.slice(0, 13), '2001:db8:1::/97'],
    });
    expect(toHex(b256.subarray(0, 4))).toBe('900e0100');
  });
});

test('encodeUpdate: both octets of each length field', () => {
  const hosts = Array.from({ length: 60 }, (_, i) => `10.0.0.${i}/32`);
  const w = encodeUpdate({ withdrawn: hosts, attributes: {}, nlri: [] }, { as4: true });
  expect([w[19], w[20]]).toEqual([1, 44]);
  expect(decodeUpdate(w, { as4: true }).withdrawn).toEqual(hosts);
  const one = encodeUpdate({ withdrawn: ['10.0.0.1/32'], attributes: {}, nlri: [] }, { as4: true });
  expect(toHex(one.subarray(19))).toBe('0005' + '200a000001' + '0000');
  const other = [{ flags: 0xc0, code: 99, value: new Uint8Array(297) }];
  const a = encodeUpdate({ withdrawn: [], attributes: { other }, nlri: [] }, { as4: true });
  expect([a[19], a[20], a[21], a[22]]).toEqual([0, 0, 1, 45]);
  expect(decodeUpdate(a, { as4: true }).attributes.other?.[0]?.value.length).toBe(297);
});
