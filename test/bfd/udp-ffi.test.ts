/**
 * The bun:ffi UDP socket on loopback: received TTL / Hop Limit and destination address from
 * recvmsg's control messages, non-blocking receive, source port range.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { UdpFfiError, UdpSocket } from '../../agent/bfd/udp-ffi.ts';
import { waitFor } from '../support/proc.ts';

const open: UdpSocket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

describe.each([
  [4, '127.0.0.1'],
  [6, '::1'],
] as const)('UdpSocket IPv%d', (family, lo) => {
  test('reports TTL, source, destination and keeps them per datagram', async () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const r = UdpSocket.open({ family, port, receiveInfo: true });
    const a = UdpSocket.openInRange({ family, ttl: 255 }, 49152, 65535, Math.random);
    const b = UdpSocket.open({ family, port: 0, ttl: 7 });
    open.push(r, a, b);
    expect(r.receive()).toBeUndefined(); // nothing queued: returns at once
    expect(a.send(new Uint8Array([1, 2, 3]), lo, port)).toBe(0);
    expect(b.send(new Uint8Array([4]), lo, port)).toBe(0);
    const first = await waitFor('first datagram', () => r.receive(), { timeoutMs: 2000, intervalMs: 5 });
    const second = await waitFor('second datagram', () => r.receive(), { timeoutMs: 2000, intervalMs: 5 });
    expect(first).toMatchObject({ bytes: new Uint8Array([1, 2, 3]), peer: lo, local: lo, ttl: 255 });
    expect(first.peerPort).toBeGreaterThanOrEqual(49152);
    // Regression: the second datagram's metadata is its own (buffers whose storage moved once
    // made every later datagram repeat the first one's TTL and port).
    expect(second).toMatchObject({ bytes: new Uint8Array([4]), ttl: 7 });
    expect(second.peerPort).not.toBe(first.peerPort);
    expect(second.ifindex).toBeGreaterThan(0);
  });

  test('with timestamps, a datagram read late carries the time it arrived (SO_TIMESTAMP), not the time it was read', async () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const r = UdpSocket.open({ family, port, receiveInfo: true, timestamps: true });
    const plain = UdpSocket.open({ family, port: port + 1, receiveInfo: true });
    const a = UdpSocket.open({ family, port: 0, ttl: 255 });
    open.push(r, plain, a);
    const sentAt = Date.now();
    expect(a.send(new Uint8Array([9]), lo, port)).toBe(0);
    expect(a.send(new Uint8Array([8]), lo, port + 1)).toBe(0);
    await Bun.sleep(300);
    const d = r.receive();
    const readAt = Date.now();
    expect(d).toMatchObject({ bytes: new Uint8Array([9]), ttl: 255 });
    // Loopback delivers at once: arrival within 100 ms of sending, at least 200 ms before the read.
    expect(d!.receivedAt!).toBeGreaterThanOrEqual(sentAt - 1);
    expect(d!.receivedAt!).toBeLessThan(sentAt + 100);
    expect(readAt - d!.receivedAt!).toBeGreaterThanOrEqual(200);
    expect(plain.receive()!.receivedAt).toBeUndefined();
  });

  test('a port already bound is EADDRINUSE (no SO_REUSEADDR: two BFD daemons must not share 3784)', () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    open.push(UdpSocket.open({ family, port, receiveInfo: true }));
    let err: unknown;
    try {
      open.push(UdpSocket.open({ family, port, receiveInfo: true }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UdpFfiError);
    expect((err as UdpFfiError).errno).toBe(98);
  });
});
