/** answer.ts: what is answered (owned IPs, with our MAC) and why everything else is not. */
import { describe, expect, test } from 'bun:test';
import { type Answer, answer } from '../../agent/l2/answer.ts';
import {
  ArpOperation,
  BROADCAST_MAC,
  decodeArpFrame,
  decodeNdFrame,
  encodeArpFrame,
  encodeNdFrame,
  gratuitousArp,
  type NdFrame,
  neighborSolicitation,
  parseMac,
  unsolicitedNeighborAdvertisement,
  ZERO_MAC,
} from '../../agent/l2/wire/index.ts';
import { type IP, parseIP } from '../../agent/net/ip.ts';

const ip = (s: string): IP => {
  const r = parseIP(s);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const OURS = parseMac('02:00:00:00:00:01')!;
const CLIENT = parseMac('02:00:00:00:00:20')!;
const OTHER = parseMac('02:00:00:00:00:02')!;
const ctx = { mac: OURS, owns: (x: string) => x === '192.168.2.200' || x === 'fd00:2::200' };

const arpRequest = (target: string, o: { sender?: string; dst?: Uint8Array; src?: Uint8Array } = {}) =>
  encodeArpFrame({
    destination: o.dst ?? BROADCAST_MAC,
    source: o.src ?? CLIENT,
    arp: {
      operation: ArpOperation.Request,
      senderMac: o.src ?? CLIENT,
      senderIP: ip(o.sender ?? '192.168.2.20'),
      targetMac: ZERO_MAC,
      targetIP: ip(target),
    },
  });
const reason = (a: Answer) => (a.kind === 'ignore' ? a.reason : 'reply');

describe('ARP', () => {
  test('a broadcast request for an owned IP gets a unicast reply with our MAC', () => {
    const a = answer(arpRequest('192.168.2.200'), ctx);
    expect(a.kind).toBe('reply');
    if (a.kind !== 'reply') return;
    expect(a).toMatchObject({ family: 4, ip: '192.168.2.200' });
    const d = decodeArpFrame(a.frame);
    expect(d).toEqual({
      ok: true,
      value: {
        destination: CLIENT,
        source: OURS,
        arp: {
          operation: ArpOperation.Reply,
          senderMac: OURS,
          senderIP: ip('192.168.2.200'),
          targetMac: CLIENT,
          targetIP: ip('192.168.2.20'),
        },
      },
    });
  });

  test('a unicast request to our MAC (the client refreshing its entry) is answered', () => {
    expect(reason(answer(arpRequest('192.168.2.200', { dst: OURS }), ctx))).toBe('reply');
  });

  test('an ARP probe (sender 0.0.0.0, RFC 5227) is answered: it defends the IP', () => {
    expect(reason(answer(arpRequest('192.168.2.200', { sender: '0.0.0.0' }), ctx))).toBe('reply');
  });

  test('ignored: other IPs, replies, gratuitous ARP from another node, unicast to another MAC, our own frames', () => {
    expect(reason(answer(arpRequest('192.168.2.201'), ctx))).toBe('not-owned');
    const [garpReq, garpRep] = gratuitousArp(ip('192.168.2.200'), OTHER).map(encodeArpFrame);
    expect(reason(answer(garpReq!, ctx))).toBe('announcement');
    expect(reason(answer(garpRep!, ctx))).toBe('not-a-question');
    expect(reason(answer(arpRequest('192.168.2.200', { dst: OTHER }), ctx))).toBe('not-for-us');
    expect(reason(answer(arpRequest('192.168.2.200', { src: OURS }), ctx))).toBe('from-us');
    expect(reason(answer(new Uint8Array(10), ctx))).toBe('malformed');
    expect(reason(answer(new Uint8Array(42), ctx))).toBe('not-arp-or-ipv6');
  });
});

describe('NDP', () => {
  const ns = (target: string, patch: Partial<NdFrame> = {}) => ({
    ...neighborSolicitation(ip(target), ip('fd00:2::20'), CLIENT),
    ...patch,
  });

  test('NS to the solicited-node group (Cilium #44311) gets a solicited NA: S=1, O=1, Target LLA, to the asker', () => {
    const a = answer(encodeNdFrame(ns('fd00:2::200')), ctx);
    expect(a.kind).toBe('reply');
    if (a.kind !== 'reply') return;
    expect(a).toMatchObject({ family: 6, ip: 'fd00:2::200' });
    expect(decodeNdFrame(a.frame)).toEqual({
      ok: true,
      value: {
        destinationMac: CLIENT,
        sourceMac: OURS,
        source: ip('fd00:2::200'),
        destination: ip('fd00:2::20'),
        hopLimit: 255,
        message: {
          type: 'na',
          router: false,
          solicited: true,
          override: true,
          target: ip('fd00:2::200'),
          targetLinkLayer: OURS,
        },
      },
    });
  });

  test('a unicast NS (NUD probe) without Source LLA is answered to the frame source MAC (RFC 4861 §4.3 SHOULD)', () => {
    const f = ns('fd00:2::200', { destination: ip('fd00:2::200'), destinationMac: OURS });
    f.message = { type: 'ns', target: ip('fd00:2::200') };
    const a = answer(encodeNdFrame(f), ctx);
    expect(a.kind).toBe('reply');
    if (a.kind === 'reply')
      expect(decodeNdFrame(a.frame).ok && decodeNdFrame(a.frame)).toMatchObject({
        value: { destinationMac: CLIENT },
      });
  });

  test('a multicast NS without Source LLA is ignored (RFC 4861 §4.3 MUST include it)', () => {
    const f = ns('fd00:2::200');
    f.message = { type: 'ns', target: ip('fd00:2::200') };
    expect(reason(answer(encodeNdFrame(f), ctx))).toBe('ns-without-source-lla');
  });

  test('a DAD probe for an owned IP is answered to all-nodes with S=0 (the IP is in use)', () => {
    const f = ns('fd00:2::200', { source: ip('::') });
    f.message = { type: 'ns', target: ip('fd00:2::200') };
    const a = answer(encodeNdFrame(f), ctx);
    expect(a.kind).toBe('reply');
    if (a.kind !== 'reply') return;
    const d = decodeNdFrame(a.frame);
    expect(d.ok && d.value).toMatchObject({
      destination: ip('ff02::1'),
      message: { solicited: false, override: true },
    });
  });

  test('ignored: other targets, NA, wrong group or MAC, our own frames, bad hop limit', () => {
    expect(reason(answer(encodeNdFrame(ns('fd00:2::201')), ctx))).toBe('not-owned');
    expect(
      reason(answer(encodeNdFrame(unsolicitedNeighborAdvertisement(ip('fd00:2::200'), OTHER)), ctx)),
    ).toBe('not-a-question');
    expect(
      reason(answer(encodeNdFrame(ns('fd00:2::200', { destination: ip('ff02::1:ff00:201') })), ctx)),
    ).toBe('not-for-us');
    expect(
      reason(
        answer(
          encodeNdFrame(ns('fd00:2::200', { destination: ip('fd00:2::200'), destinationMac: OTHER })),
          ctx,
        ),
      ),
    ).toBe('not-for-us');
    expect(reason(answer(encodeNdFrame(ns('fd00:2::200', { sourceMac: OURS })), ctx))).toBe('from-us');
    expect(reason(answer(encodeNdFrame(ns('fd00:2::200', { hopLimit: 254 })), ctx))).toBe('malformed');
  });
});

describe('our own frames and foreign protocols', () => {
  test('our MAC as the Ethernet source alone, or as the ARP sender alone, is ours: never answered', () => {
    const viaEthernet = encodeArpFrame({
      destination: BROADCAST_MAC,
      source: OURS,
      arp: {
        operation: ArpOperation.Request,
        senderMac: CLIENT,
        senderIP: ip('192.168.2.20'),
        targetMac: ZERO_MAC,
        targetIP: ip('192.168.2.200'),
      },
    });
    expect(reason(answer(viaEthernet, ctx))).toBe('from-us');
    const viaArp = encodeArpFrame({
      destination: BROADCAST_MAC,
      source: CLIENT,
      arp: {
        operation: ArpOperation.Request,
        senderMac: OURS,
        senderIP: ip('192.168.2.20'),
        targetMac: ZERO_MAC,
        targetIP: ip('192.168.2.200'),
      },
    });
    expect(reason(answer(viaArp, ctx))).toBe('from-us');
  });

  test('an IPv6 frame that is not ICMPv6 is no question, not a malformed one', () => {
    const ns = encodeNdFrame(neighborSolicitation(ip('fd00:2::200'), ip('fd00:2::20'), CLIENT));
    const udp = ns.slice();
    udp[20] = 17; // IPv6 next header: UDP
    expect(reason(answer(udp, ctx))).toBe('not-a-question');
  });
});
