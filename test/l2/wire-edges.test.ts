/**
 * Edge cases of the L2 codec that the round-trip tests do not reach: exact-length frames, the
 * header fields at their widest, odd-length and folding checksums, option boundaries, reserved
 * bits, and the wording of a refusal (what the debug log says about a dropped frame).
 */
import { describe, expect, test } from 'bun:test';
import {
  ArpOperation,
  decodeArp,
  decodeArpFrame,
  describeArp,
  encodeArpFrame,
} from '../../agent/l2/wire/arp.ts';
import { decodeEthernet, EtherType, encodeEthernet } from '../../agent/l2/wire/ethernet.ts';
import {
  ALL_NODES,
  decodeIPv6,
  encodeIPv6,
  icmpv6Checksum,
  NEXT_HEADER_ICMPV6,
  UNSPECIFIED6,
} from '../../agent/l2/wire/ipv6.ts';
import { formatMac, macEquals, parseMac } from '../../agent/l2/wire/mac.ts';
import { decodeNdFrame, encodeNdFrame, unsolicitedNeighborAdvertisement } from '../../agent/l2/wire/ndp.ts';
import { type IP, parseIP } from '../../agent/net/ip.ts';

const ip = (s: string): IP => {
  const r = parseIP(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const MAC_A = parseMac('02:00:00:00:00:0a')!;
const MAC_B = parseMac('02:00:00:00:00:0b')!;
const SRC = ip('fe80::1');
const DST = ip('fe80::2');

/** An Ethernet + IPv6 frame around raw ICMPv6 bytes, with the checksum filled in. */
function rawNd(
  message: number[],
  o: { source?: IP; destination?: IP; nextHeader?: number } = {},
): Uint8Array {
  const source = o.source ?? SRC;
  const destination = o.destination ?? DST;
  const m = Uint8Array.from(message);
  if (m.length >= 4) {
    m[2] = 0;
    m[3] = 0;
    const sum = icmpv6Checksum(source, destination, m);
    m[2] = sum >> 8;
    m[3] = sum & 0xff;
  }
  const packet = encodeIPv6(
    {
      trafficClass: 0,
      flowLabel: 0,
      nextHeader: o.nextHeader ?? NEXT_HEADER_ICMPV6,
      hopLimit: 255,
      source,
      destination,
    },
    m,
  );
  return encodeEthernet({ destination: MAC_A, source: MAC_B, etherType: EtherType.IPv6, payload: packet });
}

/** An NS for 2001:db8::1 (type 135, code 0, checksum, reserved, target) plus the given option bytes. */
const nsBytes = (options: number[] = [], reserved = [0, 0, 0, 0]): number[] => [
  135,
  0,
  0,
  0,
  ...reserved,
  ...[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
  ...options,
];

/** A plain one's-complement sum, written out independently of the codec. */
function referenceChecksum(source: IP, destination: IP, message: Uint8Array): number {
  const words: number[] = [];
  const push = (bytes: Uint8Array) => {
    const padded = bytes.length % 2 === 0 ? bytes : Uint8Array.from([...bytes, 0]);
    for (let i = 0; i < padded.length; i += 2) words.push(padded[i]! * 256 + padded[i + 1]!);
  };
  const addr = (a: IP) =>
    Uint8Array.from({ length: 16 }, (_, i) => Number((a.value >> BigInt(8 * (15 - i))) & 0xffn));
  push(addr(source));
  push(addr(destination));
  words.push(Math.floor(message.length / 65536), message.length % 65536, 0, 58);
  push(message);
  let sum = words.reduce((s, w) => s + w, 0);
  while (sum > 0xffff) sum = (sum % 65536) + Math.floor(sum / 65536);
  return 0xffff - sum;
}

describe('Ethernet and MAC', () => {
  test('EtherTypes are the IEEE values', () => {
    expect(EtherType).toEqual({ IPv4: 0x0800, ARP: 0x0806, VLAN: 0x8100, IPv6: 0x86dd });
  });

  test('a frame of exactly the 14-byte header decodes with an empty payload', () => {
    const r = decodeEthernet(
      encodeEthernet({ destination: MAC_A, source: MAC_B, etherType: 0x88b5, payload: new Uint8Array() }),
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.payload.length).toBe(0);
    expect(decodeEthernet(new Uint8Array(13)).ok).toBe(false);
  });

  test('macEquals: a different first byte or a different length is not equal', () => {
    expect(macEquals(MAC_A, parseMac('03:00:00:00:00:0a')!)).toBe(false);
    expect(macEquals(MAC_A, MAC_A.slice(0, 5))).toBe(false);
    expect(macEquals(MAC_A, Uint8Array.from(MAC_A))).toBe(true);
  });
});

describe('IPv6 header', () => {
  test('traffic class and flow label survive at their widest and odd values', () => {
    for (const [trafficClass, flowLabel] of [
      [0xff, 0xfffff],
      [0xab, 0x12345],
      [0x01, 0x00001],
    ] as const) {
      const bytes = encodeIPv6(
        { trafficClass, flowLabel, nextHeader: 58, hopLimit: 255, source: SRC, destination: DST },
        new Uint8Array(2),
      );
      const r = decodeIPv6(bytes);
      expect(r.ok).toBe(true);
      if (r.ok)
        expect([r.value.header.trafficClass, r.value.header.flowLabel]).toEqual([trafficClass, flowLabel]);
    }
  });

  test('the first word is version 6, then the traffic class, then the flow label (RFC 8200 §3)', () => {
    const bytes = encodeIPv6(
      {
        trafficClass: 0x1ab,
        flowLabel: 0x1234567,
        nextHeader: 58,
        hopLimit: 1,
        source: SRC,
        destination: DST,
      },
      new Uint8Array(),
    );
    expect([...bytes.subarray(0, 4)]).toEqual([0x6a, 0xb3, 0x45, 0x67]);
  });

  test('a bare 40-byte header with payload length 0 decodes', () => {
    const r = decodeIPv6(
      encodeIPv6(
        { trafficClass: 0, flowLabel: 0, nextHeader: 59, hopLimit: 64, source: SRC, destination: DST },
        new Uint8Array(),
      ),
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.payload.length).toBe(0);
  });

  test('a payload length beyond the bytes received is truncated, and says how many arrived', () => {
    const bytes = encodeIPv6(
      { trafficClass: 0, flowLabel: 0, nextHeader: 58, hopLimit: 255, source: SRC, destination: DST },
      new Uint8Array(8),
    );
    bytes[5] = 9; // claims 9 bytes, 8 follow
    const r = decodeIPv6(bytes);
    expect(r).toEqual({
      ok: false,
      reason: 'truncated',
      detail: 'IPv6 payload length 9 exceeds the 8 bytes received',
    });
  });

  test('an IPv4 packet in an IPv6 frame names its version', () => {
    const bytes = new Uint8Array(40);
    bytes[0] = 0x45;
    const r = decodeIPv6(bytes);
    expect(r).toEqual({ ok: false, reason: 'bad-ipv6-header', detail: 'IP version 4 in an IPv6 frame' });
  });

  test('the well-known addresses', () => {
    expect(ALL_NODES).toEqual(ip('ff02::1'));
    expect(UNSPECIFIED6).toEqual(ip('::'));
  });
});

describe('ICMPv6 checksum', () => {
  test('an odd-length message is padded with a zero byte (RFC 4443 §2.3)', () => {
    const m = Uint8Array.of(0x87, 0, 0, 0, 0xff, 0x01, 0xab);
    expect(icmpv6Checksum(SRC, DST, m)).toBe(referenceChecksum(SRC, DST, m));
  });

  test('a sum of exactly 0x10000 folds to 1', () => {
    // 2 (length) + 58 (next header) + 0xffc4 = 0x10000 → folded 1 → checksum 0xfffe.
    expect(icmpv6Checksum(UNSPECIFIED6, UNSPECIFIED6, Uint8Array.of(0xff, 0xc4))).toBe(0xfffe);
  });

  test('messages of 32 KiB and 64 KiB count their length in the pseudo-header', () => {
    for (const n of [40_000, 65_536, 70_001]) {
      const m = new Uint8Array(n).fill(0x11);
      expect(icmpv6Checksum(SRC, DST, m)).toBe(referenceChecksum(SRC, DST, m));
    }
  });
});

describe('Neighbor Discovery edges', () => {
  test('NA flags: only the R/S/O bits are set on the wire, reserved bits are ignored on the way in', () => {
    const frame = encodeNdFrame({
      destinationMac: MAC_A,
      sourceMac: MAC_B,
      source: SRC,
      destination: DST,
      hopLimit: 255,
      message: { type: 'na', router: true, solicited: false, override: false, target: ip('2001:db8::1') },
    });
    expect(frame[14 + 40 + 4]).toBe(0x80);
    const plain = encodeNdFrame({
      destinationMac: MAC_A,
      sourceMac: MAC_B,
      source: SRC,
      destination: DST,
      hopLimit: 255,
      message: { type: 'na', router: false, solicited: false, override: false, target: ip('2001:db8::1') },
    });
    expect(plain[14 + 40 + 4]).toBe(0);
    const na = nsBytes([], [0x01, 0, 0, 0]);
    na[0] = 136;
    const r = decodeNdFrame(rawNd(na));
    expect(r.ok).toBe(true);
    if (r.ok && r.value.message.type === 'na')
      expect([r.value.message.router, r.value.message.solicited, r.value.message.override]).toEqual([
        false,
        false,
        false,
      ]);
  });

  test('a non-zero reserved field does not change the target', () => {
    const r = decodeNdFrame(rawNd(nsBytes([], [0xff, 0xff, 0xff, 0xff])));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.message.target).toEqual(ip('2001:db8::1'));
  });

  test('the Source LLA is read from its option bytes 2..7', () => {
    const r = decodeNdFrame(rawNd(nsBytes([1, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55])));
    expect(r.ok).toBe(true);
    if (r.ok && r.value.message.type === 'ns')
      expect(formatMac(r.value.message.sourceLinkLayer!)).toBe('02:11:22:33:44:55');
  });

  test('a Source LLA followed by another option is exactly six bytes', () => {
    const nonce = [14, 1, 1, 2, 3, 4, 5, 6];
    const r = decodeNdFrame(rawNd(nsBytes([1, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, ...nonce])));
    expect(r.ok).toBe(true);
    if (r.ok && r.value.message.type === 'ns')
      expect(formatMac(r.value.message.sourceLinkLayer!)).toBe('02:11:22:33:44:55');
  });

  test('an unknown option of one unit is skipped, not read as a link-layer address', () => {
    const na = nsBytes([5, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
    na[0] = 136;
    const r = decodeNdFrame(rawNd(na));
    expect(r.ok).toBe(true);
    if (r.ok && r.value.message.type === 'na') expect(r.value.message.targetLinkLayer).toBeUndefined();
  });

  test('an option header cut after its type byte is refused', () => {
    const r = decodeNdFrame(rawNd(nsBytes([1])));
    expect(r).toMatchObject({ ok: false, reason: 'bad-option', detail: 'option header cut at byte 24' });
  });

  test('an option whose length runs past the message is refused as such', () => {
    const r = decodeNdFrame(rawNd(nsBytes([1, 1])));
    expect(r).toMatchObject({
      ok: false,
      reason: 'bad-option',
      detail: 'option type 1 runs past the message',
    });
  });

  test('ICMPv6 messages of 3 and 4 bytes: truncated, then judged by their type', () => {
    expect(decodeNdFrame(rawNd([1, 0, 0]))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeNdFrame(rawNd([1, 0, 0, 0]))).toEqual({
      ok: false,
      reason: 'not-neighbor-discovery',
      detail: 'ICMPv6 type 1 is not NS (135) or NA (136)',
    });
  });

  test('refusals name the EtherType and the ICMPv6 code', () => {
    const arp = encodeArpFrame({
      destination: MAC_A,
      source: MAC_B,
      arp: {
        operation: ArpOperation.Request,
        senderMac: MAC_B,
        senderIP: ip('10.0.0.1'),
        targetMac: MAC_A,
        targetIP: ip('10.0.0.2'),
      },
    });
    expect(decodeNdFrame(arp)).toMatchObject({
      reason: 'bad-ethertype',
      detail: 'EtherType 0x806 is not IPv6',
    });
    const coded = nsBytes();
    coded[1] = 7;
    expect(decodeNdFrame(rawNd(coded))).toEqual({
      ok: false,
      reason: 'bad-code',
      detail: 'ICMPv6 code 7 (ND needs 0)',
    });
  });

  test('an unsolicited NA goes to ff02::1 and decodes back to it', () => {
    const frame = unsolicitedNeighborAdvertisement(ip('2001:db8::5'), MAC_A);
    const r = decodeNdFrame(encodeNdFrame(frame));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.destination).toEqual(frame.destination);
    expect(frame.destination).toEqual(ip('ff02::1'));
  });
});

describe('ARP edges', () => {
  test('a refused header names hardware type/length and protocol type/length', () => {
    const b = new Uint8Array(28);
    b.set([0x00, 0x06, 0x86, 0xdd, 7, 9, 0, 1]);
    expect(decodeArp(b)).toEqual({
      ok: false,
      reason: 'bad-arp-header',
      detail: 'ARP for hardware 6/7 and protocol 0x86dd/9 is not IPv4 over Ethernet',
    });
  });

  test('a non-ARP EtherType is named in hex', () => {
    const f = encodeEthernet({
      destination: MAC_A,
      source: MAC_B,
      etherType: EtherType.IPv6,
      payload: new Uint8Array(28),
    });
    expect(decodeArpFrame(f)).toEqual({
      ok: false,
      reason: 'bad-ethertype',
      detail: 'EtherType 0x86dd is not ARP',
    });
  });

  test('describeArp: a request is who-has, a reply is-at', () => {
    const p = { senderMac: MAC_A, senderIP: ip('10.0.0.1'), targetMac: MAC_B, targetIP: ip('10.0.0.2') };
    expect(describeArp({ ...p, operation: ArpOperation.Request })).toBe('ARP who-has 10.0.0.2 from 10.0.0.1');
    expect(describeArp({ ...p, operation: ArpOperation.Reply })).toBe('ARP is-at 10.0.0.2 from 10.0.0.1');
  });
});
