/**
 * The L2 codec against frames captured from the Linux kernel, iputils-arping and ndisc6
 * (test/fixtures/l2/capture.ts), both ways: each decodes to the typed value written here, and
 * encoding that value gives the captured bytes back (except where noted). The answers edgelb
 * computes for the kernel's questions are byte-for-byte the kernel's own answers.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { answer } from '../../agent/l2/answer.ts';
import {
  ArpOperation,
  decodeArpFrame,
  decodeNdFrame,
  encodeArpFrame,
  encodeNdFrame,
  gratuitousArp,
  type Mac,
  parseMac,
  unsolicitedNeighborAdvertisement,
} from '../../agent/l2/wire/index.ts';
import { type IP, parseIP } from '../../agent/net/ip.ts';
import { hex, toHex } from '../bgp/hex.ts';

const FRAMES: { name: string; note: string; hex: string }[] = JSON.parse(
  readFileSync(join(import.meta.dir, '..', 'fixtures', 'l2', 'frames.json'), 'utf8'),
);
const frame = (name: string) => {
  const f = FRAMES.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  return hex(f.hex);
};
const ip = (s: string): IP => {
  const r = parseIP(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const mac = (s: string): Mac => parseMac(s)!;

// The capture's two hosts (veth MACs are random per capture run).
const CLIENT_MAC = mac('a6:19:08:e9:bb:47');
const NODE_MAC = mac('ae:f1:05:ad:4a:03');
const BROADCAST = mac('ff:ff:ff:ff:ff:ff');

describe('captured frames', () => {
  test('the fixture list is complete (a capture that silently caught nothing fails here)', () => {
    expect(FRAMES.map((f) => f.name).sort()).toEqual([
      'arp-reply-kernel',
      'arp-request-kernel',
      'garp-reply-arping',
      'garp-request-arping',
      'mld-report-kernel',
      'na-solicited-kernel',
      'na-unsolicited-kernel',
      'ns-dad-kernel',
      'ns-multicast-kernel',
      'ns-multicast-ndisc6',
    ]);
  });

  const arpCases = {
    'arp-request-kernel': {
      destination: BROADCAST,
      source: CLIENT_MAC,
      arp: {
        operation: ArpOperation.Request,
        senderMac: CLIENT_MAC,
        senderIP: ip('192.168.2.20'),
        targetMac: mac('00:00:00:00:00:00'),
        targetIP: ip('192.168.2.10'),
      },
    },
    'arp-reply-kernel': {
      destination: CLIENT_MAC,
      source: NODE_MAC,
      arp: {
        operation: ArpOperation.Reply,
        senderMac: NODE_MAC,
        senderIP: ip('192.168.2.10'),
        targetMac: CLIENT_MAC,
        targetIP: ip('192.168.2.20'),
      },
    },
    'garp-request-arping': {
      destination: BROADCAST,
      source: NODE_MAC,
      arp: {
        operation: ArpOperation.Request,
        senderMac: NODE_MAC,
        senderIP: ip('192.168.2.10'),
        targetMac: BROADCAST,
        targetIP: ip('192.168.2.10'),
      },
    },
    'garp-reply-arping': {
      destination: BROADCAST,
      source: NODE_MAC,
      arp: {
        operation: ArpOperation.Reply,
        senderMac: NODE_MAC,
        senderIP: ip('192.168.2.10'),
        targetMac: NODE_MAC,
        targetIP: ip('192.168.2.10'),
      },
    },
  } as const;

  for (const [name, value] of Object.entries(arpCases)) {
    test(`${name} decodes and re-encodes`, () => {
      const d = decodeArpFrame(frame(name));
      expect(d).toEqual({ ok: true, value });
      expect(toHex(encodeArpFrame(value))).toBe(toHex(frame(name)));
    });
  }

  const ndCases = {
    'ns-multicast-kernel': {
      destinationMac: mac('33:33:ff:00:00:10'),
      sourceMac: CLIENT_MAC,
      source: ip('fd00:2::20'),
      destination: ip('ff02::1:ff00:10'),
      hopLimit: 255,
      message: { type: 'ns', target: ip('fd00:2::10'), sourceLinkLayer: CLIENT_MAC },
    },
    'na-solicited-kernel': {
      destinationMac: CLIENT_MAC,
      sourceMac: NODE_MAC,
      source: ip('fd00:2::10'),
      destination: ip('fd00:2::20'),
      hopLimit: 255,
      message: {
        type: 'na',
        router: false,
        solicited: true,
        override: true,
        target: ip('fd00:2::10'),
        targetLinkLayer: NODE_MAC,
      },
    },
    'na-unsolicited-kernel': {
      destinationMac: mac('33:33:00:00:00:01'),
      sourceMac: mac('02:00:00:00:00:10'),
      source: ip('fd00:2::99'),
      destination: ip('ff02::1'),
      hopLimit: 255,
      message: {
        type: 'na',
        router: false,
        solicited: false,
        override: true,
        target: ip('fd00:2::99'),
        targetLinkLayer: mac('02:00:00:00:00:10'),
      },
    },
  } as const;

  for (const [name, value] of Object.entries(ndCases)) {
    test(`${name} decodes and re-encodes (checksum included)`, () => {
      expect(decodeNdFrame(frame(name))).toEqual({ ok: true, value: value as never });
      expect(toHex(encodeNdFrame(value as never))).toBe(toHex(frame(name)));
    });
  }

  test('ndisc6 NS from a link-local source decodes (flow label set, so not re-encoded)', () => {
    expect(decodeNdFrame(frame('ns-multicast-ndisc6'))).toEqual({
      ok: true,
      value: {
        destinationMac: mac('33:33:ff:00:00:10'),
        sourceMac: CLIENT_MAC,
        source: ip('fe80::a419:8ff:fee9:bb47'),
        destination: ip('ff02::1:ff00:10'),
        hopLimit: 255,
        message: { type: 'ns', target: ip('fd00:2::10'), sourceLinkLayer: CLIENT_MAC },
      },
    });
  });

  test('the kernel DAD probe decodes: source ::, no Source LLA, its Nonce option (RFC 7527) skipped', () => {
    const d = decodeNdFrame(frame('ns-dad-kernel'));
    expect(d).toEqual({
      ok: true,
      value: {
        destinationMac: mac('33:33:ff:00:00:99'),
        sourceMac: NODE_MAC,
        source: ip('::'),
        destination: ip('ff02::1:ff00:99'),
        hopLimit: 255,
        message: { type: 'ns', target: ip('fd00:2::99') },
      },
    });
  });

  test('an MLD report (Hop-by-Hop header) is not ND: a reason, no throw', () => {
    const d = decodeNdFrame(frame('mld-report-kernel'));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toBe('not-icmpv6');
  });
});

describe("edgelb's answers equal the kernel's", () => {
  test('ARP reply to the kernel request is byte-for-byte the kernel reply', () => {
    const a = answer(frame('arp-request-kernel'), { mac: NODE_MAC, owns: (x) => x === '192.168.2.10' });
    expect(a.kind).toBe('reply');
    if (a.kind === 'reply') {
      expect(a.family).toBe(4);
      expect(toHex(a.frame)).toBe(toHex(frame('arp-reply-kernel')));
    }
  });

  test('NA to the kernel NS is byte-for-byte the kernel NA', () => {
    const a = answer(frame('ns-multicast-kernel'), { mac: NODE_MAC, owns: (x) => x === 'fd00:2::10' });
    expect(a.kind).toBe('reply');
    if (a.kind === 'reply') expect(toHex(a.frame)).toBe(toHex(frame('na-solicited-kernel')));
  });

  test('unsolicited NA equals the kernel one (ndisc_notify)', () => {
    const na = unsolicitedNeighborAdvertisement(ip('fd00:2::99'), mac('02:00:00:00:00:10'));
    expect(toHex(encodeNdFrame(na))).toBe(toHex(frame('na-unsolicited-kernel')));
  });

  test("gratuitous ARP reply equals arping -A's; the request differs only in the target MAC (zero, not ff)", () => {
    const [req, rep] = gratuitousArp(ip('192.168.2.10'), NODE_MAC);
    expect(toHex(encodeArpFrame(rep))).toBe(toHex(frame('garp-reply-arping')));
    const arping = frame('garp-request-arping');
    arping.fill(0, 14 + 18, 14 + 24);
    expect(toHex(encodeArpFrame(req))).toBe(toHex(arping));
  });
});
