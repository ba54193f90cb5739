/** The L2 codec's rules: solicited-node groups, RFC 4861 validation, and bad input as reasons (never a throw). */
import { describe, expect, test } from 'bun:test';
import {
  ArpOperation,
  decodeArpFrame,
  decodeNdFrame,
  encodeArpFrame,
  encodeNdFrame,
  formatMac,
  icmpv6Checksum,
  multicastMac,
  type NdFrame,
  neighborSolicitation,
  parseMac,
  solicitedNodeGroup,
  unsolicitedNeighborAdvertisement,
} from '../../agent/l2/wire/index.ts';
import { formatIP, type IP, parseIP } from '../../agent/net/ip.ts';

const ip = (s: string): IP => {
  const r = parseIP(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const MAC = parseMac('02:00:00:00:00:01')!;

describe('addresses', () => {
  test('solicited-node group keeps the low 24 bits (RFC 4291 §2.7.1)', () => {
    expect(formatIP(solicitedNodeGroup(ip('fd00:2::200')))).toBe('ff02::1:ff00:200');
    expect(formatIP(solicitedNodeGroup(ip('2001:db8::ab:cdef')))).toBe('ff02::1:ffab:cdef');
    // Two IPs with the same low 24 bits share a group (the refcount's reason).
    expect(solicitedNodeGroup(ip('fd00:2::200'))).toEqual(solicitedNodeGroup(ip('fd00:3::200')));
  });

  test('multicast MAC is 33:33 + the last 32 bits (RFC 2464 §7)', () => {
    expect(formatMac(multicastMac(solicitedNodeGroup(ip('fd00:2::200'))))).toBe('33:33:ff:00:02:00');
    expect(formatMac(multicastMac(ip('ff02::1')))).toBe('33:33:00:00:00:01');
  });

  test('MAC text both ways; garbage is undefined', () => {
    expect(formatMac(parseMac('AA-bb-0c-dd-ee-0F')!)).toBe('aa:bb:0c:dd:ee:0f');
    expect(parseMac('aa:bb:cc:dd:ee')).toBeUndefined();
    expect(parseMac('aa:bb:cc:dd:ee:gg')).toBeUndefined();
  });

  test('checksum of a message carrying its own checksum is zero', () => {
    const f = encodeNdFrame(unsolicitedNeighborAdvertisement(ip('fd00:2::200'), MAC));
    expect(icmpv6Checksum(ip('fd00:2::200'), ip('ff02::1'), f.subarray(54))).toBe(0);
  });
});

describe('round trips of what edgelb sends', () => {
  test('unsolicited NA: to ff02::1, O=1, S=0, hop limit 255, Target LLA', () => {
    const d = decodeNdFrame(encodeNdFrame(unsolicitedNeighborAdvertisement(ip('fd00:2::200'), MAC)));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(formatIP(d.value.destination)).toBe('ff02::1');
    expect(formatMac(d.value.destinationMac)).toBe('33:33:00:00:00:01');
    expect(d.value.hopLimit).toBe(255);
    expect(d.value.message).toEqual({
      type: 'na',
      router: false,
      solicited: false,
      override: true,
      target: ip('fd00:2::200'),
      targetLinkLayer: MAC,
    });
  });

  test('NS to the solicited-node group', () => {
    const ns = neighborSolicitation(ip('fd00:2::200'), ip('fd00:2::20'), MAC);
    expect(decodeNdFrame(encodeNdFrame(ns))).toEqual({ ok: true, value: ns });
  });

  test('Ethernet padding after an ARP packet or an IPv6 payload is ignored', () => {
    const arp = encodeArpFrame({
      destination: MAC,
      source: MAC,
      arp: {
        operation: ArpOperation.Reply,
        senderMac: MAC,
        senderIP: ip('10.0.0.1'),
        targetMac: MAC,
        targetIP: ip('10.0.0.2'),
      },
    });
    const padded = new Uint8Array(60);
    padded.set(arp);
    expect(decodeArpFrame(padded)).toEqual(decodeArpFrame(arp));
    const na = encodeNdFrame(unsolicitedNeighborAdvertisement(ip('fd00:2::200'), MAC));
    const naPadded = new Uint8Array(na.length + 6);
    naPadded.set(na);
    expect(decodeNdFrame(naPadded)).toEqual(decodeNdFrame(na));
  });
});

describe('bad input is a reason', () => {
  const ns = () => encodeNdFrame(neighborSolicitation(ip('fd00:2::200'), ip('fd00:2::20'), MAC));
  const reason = (b: Uint8Array) => {
    const d = decodeNdFrame(b);
    return d.ok ? 'ok' : d.reason;
  };
  /** Rewrites a field and fixes the checksum so only the rule under test fails. */
  const withChecksum = (b: Uint8Array) => {
    const f = decodeNdFrame(b);
    if (f.ok) return b;
    b[56] = 0;
    b[57] = 0;
    const src: IP = {
      family: 6,
      value: BigInt(`0x${[...b.subarray(22, 38)].map((x) => x.toString(16).padStart(2, '0')).join('')}`),
    };
    const dst: IP = {
      family: 6,
      value: BigInt(`0x${[...b.subarray(38, 54)].map((x) => x.toString(16).padStart(2, '0')).join('')}`),
    };
    const s = icmpv6Checksum(src, dst, b.subarray(54));
    b[56] = s >> 8;
    b[57] = s & 0xff;
    return b;
  };

  test('every truncation of ARP and NS frames returns a reason without throwing', () => {
    const arp = encodeArpFrame({
      destination: MAC,
      source: MAC,
      arp: {
        operation: ArpOperation.Request,
        senderMac: MAC,
        senderIP: ip('10.0.0.1'),
        targetMac: MAC,
        targetIP: ip('10.0.0.2'),
      },
    });
    for (let n = 0; n < arp.length; n++) expect(decodeArpFrame(arp.subarray(0, n)).ok).toBe(false);
    const f = ns();
    for (let n = 0; n < f.length; n++) expect(decodeNdFrame(f.subarray(0, n)).ok).toBe(false);
  });

  test('every single-bit flip of an NS decodes or returns a reason, never throws', () => {
    const f = ns();
    for (let bit = 0; bit < f.length * 8; bit++) {
      const b = f.slice();
      b[bit >> 3]! ^= 1 << (bit & 7);
      expect(() => decodeNdFrame(b)).not.toThrow();
      expect(() => decodeArpFrame(b)).not.toThrow();
    }
  });

  test('RFC 4861 §7.1.1 rules', () => {
    expect(reason(ns())).toBe('ok');
    const badSum = ns();
    badSum[57]! ^= 1;
    expect(reason(badSum)).toBe('bad-checksum');
    const hop = ns();
    hop[21] = 64; // not in the checksum: the pseudo-header has no hop limit
    expect(reason(hop)).toBe('bad-hop-limit');
    const code = ns();
    code[55] = 1;
    expect(reason(withChecksum(code))).toBe('bad-code');
    const zeroOpt = ns();
    zeroOpt[79] = 0; // the Source LLA option's length
    expect(reason(withChecksum(zeroOpt))).toBe('bad-option');
    const mcastTarget = ns();
    mcastTarget[62] = 0xff;
    expect(reason(withChecksum(mcastTarget))).toBe('bad-target');
  });

  test('a DAD NS (source ::) with a Source LLA is invalid', () => {
    const f: NdFrame = { ...neighborSolicitation(ip('fd00:2::200'), ip('::'), MAC) };
    expect(reason(encodeNdFrame(f))).toBe('bad-option');
  });

  test('a solicited NA to a multicast group is invalid', () => {
    const na = unsolicitedNeighborAdvertisement(ip('fd00:2::200'), MAC);
    if (na.message.type === 'na') na.message.solicited = true;
    expect(reason(encodeNdFrame(na))).toBe('bad-option');
  });

  test('ARP for another hardware or protocol, and an unknown operation', () => {
    const arp = encodeArpFrame({
      destination: MAC,
      source: MAC,
      arp: {
        operation: ArpOperation.Request,
        senderMac: MAC,
        senderIP: ip('10.0.0.1'),
        targetMac: MAC,
        targetIP: ip('10.0.0.2'),
      },
    });
    const hw = arp.slice();
    hw[15] = 6;
    const op = arp.slice();
    op[21] = 3;
    const r = (b: Uint8Array) => {
      const d = decodeArpFrame(b);
      return d.ok ? 'ok' : d.reason;
    };
    expect(r(hw)).toBe('bad-arp-header');
    expect(r(op)).toBe('bad-arp-header');
    const notArp = arp.slice();
    notArp[13] = 0x00;
    expect(r(notArp)).toBe('bad-ethertype');
  });
});
