/**
 * SHELL. The speaker's listener: accepts connections only from configured peers (others are
 * refused, logged at most once a minute per address), and keeps the listening socket's TCP-MD5
 * keys and GTSM TTLs in step with the peers.
 */
import net from 'node:net';
import { type Clock, monotonicNow } from '../lib/clock.ts';
import type { Logger } from '../lib/log.ts';
import { Connection } from './connection.ts';
import type { PeerConfig } from './peer.ts';
import { closeFd, rawListen, setMd5Key, setTtl } from './socket-ffi.ts';
import type { BgpConnection } from './transport.ts';

/** What the speaker lends to its listener. */
export interface ListenerHost {
  clock: Clock;
  log: Logger;
  /** The session of the configured peer at this remote address; undefined: refuse it. */
  sessionFor(remote: string): { accept(c: BgpConnection): void } | undefined;
}

export class PeerListener {
  private server: net.Server | undefined;
  private serverFd: number | undefined;
  private md5Keys = new Map<string, string>();
  private listenerTtl: [number, number] = [64, 0];
  private readonly refusedLogged = new Map<string, number>();

  constructor(
    private readonly l: { address: string; port: number },
    private readonly host: ListenerHost,
  ) {
    const server = net.createServer((socket) => this.onAccept(socket));
    server.on('error', (e) => this.host.log.error('bgp listener error', { error: e.message }));
    this.server = server;
    // A raw fd lets us set TCP-MD5 keys on the listener (the kernel checks the SYN).
    let fd: number | undefined;
    try {
      fd = rawListen({ family: l.address.includes(':') ? 6 : 4, local: l });
      server.listen({ fd } as net.ListenOptions);
      this.serverFd = fd;
    } catch (e) {
      this.host.log.warn('bgp listener without TCP-MD5/GTSM support', { error: (e as Error).message });
      if (fd !== undefined) closeFd(fd);
      this.serverFd = undefined;
      server.listen(l.port, l.address);
    }
  }

  /** Stops listening; resolves once the server is closed (undefined when already closed). */
  close(): Promise<void> | undefined {
    const server = this.server;
    this.server = undefined;
    // The listening fd belongs to the server now: server.close() closes it.
    this.serverFd = undefined;
    if (!server) return undefined;
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The listener's TCP-MD5 keys and GTSM TTLs for these peers (all configured peers). */
  syncKeys(peers: readonly PeerConfig[]): void {
    if (this.serverFd === undefined) return;
    const want = new Map<string, string>();
    for (const config of peers) if (config.password) want.set(config.peerAddress, config.password);
    for (const [addr] of this.md5Keys)
      if (!want.has(addr)) {
        try {
          setMd5Key(this.serverFd, addr, '');
        } catch {}
      }
    for (const [addr, key] of want) {
      if (this.md5Keys.get(addr) === key) continue;
      try {
        setMd5Key(this.serverFd, addr, key);
      } catch (e) {
        this.host.log.error('bgp: cannot set TCP-MD5 key on listener', {
          peer: addr,
          error: (e as Error).message,
        });
      }
    }
    this.md5Keys = want;
    // GTSM on the listener (the kernel answers the SYN before accept): TTL 255 when any
    // peer uses GTSM, and the minimum-TTL check only when every peer does.
    const ttl = peers.some((p) => p.gtsm) ? 255 : 64;
    const minTtl = peers.length > 0 && peers.every((p) => p.gtsm) ? 254 : 0;
    if (ttl !== this.listenerTtl[0] || minTtl !== this.listenerTtl[1]) {
      try {
        setTtl(this.serverFd, this.l.address.includes(':') ? 6 : 4, ttl, minTtl);
        this.listenerTtl = [ttl, minTtl];
      } catch (e) {
        this.host.log.error('bgp: cannot set GTSM on listener', { error: (e as Error).message });
      }
    }
  }

  private onAccept(socket: net.Socket): void {
    const remote = socket.remoteAddress ?? '';
    const session = this.host.sessionFor(remote);
    if (!session) {
      socket.destroy();
      // One log line per address per minute: a flood must not become a log flood.
      const now = monotonicNow(this.host.clock);
      if (this.refusedLogged.size > 1024) this.refusedLogged.clear();
      const last = this.refusedLogged.get(remote);
      if (last === undefined || now - last >= 60_000) {
        this.refusedLogged.set(remote, now);
        this.host.log.info('bgp: refused connection from unconfigured address', { remote });
      }
      return;
    }
    session.accept(new Connection(socket, false, this.host.clock));
  }
}
