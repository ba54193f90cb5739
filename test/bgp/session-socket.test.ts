/** The session conformance suite over loopback TCP sockets (connection.ts) on real time. */
import net from 'node:net';
import { Connection } from '../../agent/bgp/connection.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { Remote } from './remote.ts';
import { type Harness, runSessionCases } from './session.case.ts';

async function socketHarness(): Promise<Harness> {
  const waiting: ((r: Remote) => void)[] = [];
  const ready: Remote[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const r = new Remote(new Connection(socket, false));
    const w = waiting.shift();
    if (w) w(r);
    else ready.push(r);
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  return {
    clock: systemClock,
    peerAddress: '127.0.0.1',
    peerPort: port,
    dial: undefined, // the default: TCP
    accepted: () => {
      const r = ready.shift();
      return r ? Promise.resolve(r) : new Promise((resolve) => waiting.push(resolve));
    },
    wait: (ms) => Bun.sleep(ms),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

runSessionCases({ name: 'loopback sockets, real time', newHarness: socketHarness });
