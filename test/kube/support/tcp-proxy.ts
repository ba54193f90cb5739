/**
 * A loopback TCP relay in front of the test API server: `partition(true)` silently stops
 * forwarding bytes in both directions (requests hang, as behind a dead link) and
 * `partition(false)` forwards again for new connections. TLS passes through untouched.
 */
import type { Socket, TCPSocketListener } from 'bun';

export interface TcpProxy {
  port: number;
  partition(on: boolean): void;
  stop(): void;
}

interface Side {
  peer?: Socket<Side>;
  pending: Uint8Array[];
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let cut = false;
  const open = new Set<Socket<Side>>();
  const listener: TCPSocketListener<Side> = Bun.listen<Side>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      async open(client) {
        client.data = { pending: [] };
        open.add(client);
        const upstream = await Bun.connect<Side>({
          hostname: targetHost,
          port: targetPort,
          socket: {
            data(up, chunk) {
              if (!cut) up.data.peer?.write(chunk);
            },
            close(up) {
              up.data.peer?.end();
              open.delete(up);
            },
            error() {},
          },
          data: { peer: client, pending: [] },
        }).catch(() => undefined);
        if (!upstream) {
          client.end();
          return;
        }
        open.add(upstream);
        client.data.peer = upstream;
        for (const c of client.data.pending) upstream.write(c);
        client.data.pending = [];
      },
      data(client, chunk) {
        if (cut) return;
        if (client.data.peer) client.data.peer.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        client.data.peer?.end();
        open.delete(client);
      },
      error() {},
    },
  });
  return {
    port: listener.port,
    partition(on) {
      cut = on;
    },
    stop() {
      for (const s of open) s.end();
      listener.stop(true);
    },
  };
}
