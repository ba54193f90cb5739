/**
 * What `edgelb drain` waits for: bytes written on a BGP connection that the peer's TCP has not
 * acknowledged (our queue + Bun's buffer + the kernel's SIOCOUTQ on the fd Bun keeps as
 * _handle.fd). Pinned on loopback with a peer that stops reading, then reads.
 */
import { afterEach, expect, test } from 'bun:test';
import net from 'node:net';
import { Connection, dial } from '../../agent/bgp/connection.ts';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

test('a peer that does not read leaves bytes unacknowledged; once it reads, none are', async () => {
  let peer: net.Socket | undefined;
  const server = net.createServer((s) => {
    peer = s;
    s.pause();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const socket = net.connect({ host: '127.0.0.1', port });
  cleanup.push(() => socket.destroy());
  const conn = new Connection(socket, true);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  expect(conn.unacknowledgedBytes()).toBe(0);
  conn.write(new Uint8Array(4 << 20));
  await Bun.sleep(100);
  const stuck = conn.unacknowledgedBytes();
  expect(stuck).toBeGreaterThan(0);
  peer!.on('data', () => {});
  peer!.resume();
  let left = stuck;
  for (let i = 0; i < 100 && left !== 0; i++) {
    await Bun.sleep(20);
    left = conn.unacknowledgedBytes();
  }
  expect(left).toBe(0);
});

test('a raw-fd connection (TTL, GTSM, TCP-MD5) reports the same through the adopted socket', async () => {
  let peer: net.Socket | undefined;
  const server = net.createServer((s) => {
    peer = s;
    s.pause();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  let up!: () => void;
  const connected = new Promise<void>((r) => {
    up = r;
  });
  const conn = dial(
    { host: '127.0.0.1', port, ttl: 64 },
    { connected: () => up(), data: () => {}, closed: () => {} },
  );
  cleanup.push(() => conn.destroy());
  await connected;
  conn.write(new Uint8Array(4 << 20));
  await Bun.sleep(100);
  expect(conn.unacknowledgedBytes()).toBeGreaterThan(0);
  peer!.on('data', () => {});
  peer!.resume();
  let left = conn.unacknowledgedBytes();
  for (let i = 0; i < 100 && left !== 0; i++) {
    await Bun.sleep(20);
    left = conn.unacknowledgedBytes();
  }
  expect(left).toBe(0);
});
