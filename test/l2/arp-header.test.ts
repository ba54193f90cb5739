/** ARP header checks one field at a time, and the IPv4-only encoder (agent/l2/wire/arp.ts). */
import { expect, test } from 'bun:test';
import { ArpOperation, decodeArp, encodeArp } from '../../agent/l2/wire/index.ts';

const MAC = new Uint8Array([2, 0, 0, 0, 0, 1]);
const PACKET = {
  operation: ArpOperation.Request,
  senderMac: MAC,
  senderIP: { family: 4 as const, value: 0x0a000001n },
  targetMac: new Uint8Array(6),
  targetIP: { family: 4 as const, value: 0x0a000002n },
};

test('a good header decodes; each wrong header field alone is refused', () => {
  const good = encodeArp(PACKET);
  expect(decodeArp(good).ok).toBe(true);
  for (const [offset, value] of [
    [1, 6], // hardware type 6 (IEEE 802)
    [2, 0x86], // protocol 0x86dd
    [4, 8], // hardware address length
    [5, 16], // protocol address length
  ] as const) {
    const b = good.slice();
    b[offset] = value;
    const r = decodeArp(b);
    expect(r.ok ? 'ok' : r.reason).toBe('bad-arp-header');
  }
});

test('encodeArp refuses an IPv6 sender or target', () => {
  const v6 = { family: 6 as const, value: 1n };
  expect(() => encodeArp({ ...PACKET, senderIP: v6 })).toThrow('IPv4 addresses only');
  expect(() => encodeArp({ ...PACKET, targetIP: v6 })).toThrow('IPv4 addresses only');
});

test('encodeArp writes every byte: header, operation, and addresses at 2^24 boundaries', () => {
  const bytes = encodeArp({
    ...PACKET,
    operation: ArpOperation.Reply,
    senderIP: { family: 4, value: 0x01000000n },
    targetIP: { family: 4, value: 0xffffffffn },
  });
  expect([...bytes]).toEqual([
    0, 1, 8, 0, 6, 4, 0, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255,
  ]);
});
