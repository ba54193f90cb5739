/**
 * A raw BGP peer on node:net for the output tests (issue 26): it answers the OPEN, sends a
 * KEEPALIVE every second, counts what it reads, and on demand stops reading (socket.pause(): the
 * kernel buffers fill and the speaker's socket blocks) or sends ROUTE-REFRESH at a fixed rate.
 */
import net from 'node:net';
import {
  AFI_IPV4,
  decodeMessage,
  encodeKeepalive,
  encodeRouteRefresh,
  Framer,
  MessageType,
  messageTypeOf,
  RouteRefreshSubtype,
  SAFI_UNICAST,
} from '../../agent/bgp/wire/index.ts';
import { HOSTILE_ADDRESS, rawOpen } from './harness.ts';

export class StallPeer {
  private server: net.Server | undefined;
  private socket: net.Socket | undefined;
  private timers: ReturnType<typeof setInterval>[] = [];
  private extra: net.Socket[] = [];
  port = 0;
  /** Bytes read from the speaker on the current connection. */
  received = 0;
  /** UPDATE messages read, and NOTIFICATIONs (code) read. */
  updates = 0;
  notifications: number[] = [];
  established = false;
  closed = false;
  /** Once stopped reading, later connections are never read either (the session stays down). */
  private paused = false;

  constructor(private readonly holdTime: number) {}

  async listen(): Promise<number> {
    const server = net.createServer((s) => this.accept(s));
    this.server = server;
    await new Promise<void>((r) => server.listen(0, HOSTILE_ADDRESS, () => r()));
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  private accept(s: net.Socket): void {
    if (this.paused) {
      s.on('error', () => {});
      s.pause();
      this.extra.push(s);
      return;
    }
    this.socket?.destroy();
    this.socket = s;
    this.received = 0;
    this.established = false;
    this.closed = false;
    const framer = new Framer(65535);
    s.on('error', () => {});
    s.on('close', () => {
      if (this.socket === s) this.closed = true;
    });
    s.on('data', (d: Buffer) => {
      this.received += d.length;
      for (const m of framer.push(new Uint8Array(d))) {
        const t = messageTypeOf(m);
        if (t === MessageType.OPEN) {
          s.write(rawOpen({ holdTime: this.holdTime }));
          s.write(encodeKeepalive());
        } else if (t === MessageType.KEEPALIVE) this.established = true;
        else if (t === MessageType.UPDATE) this.updates++;
        else if (t === MessageType.NOTIFICATION) {
          const n = decodeMessage(m);
          if (n.type === 'notification') this.notifications.push(n.code);
        }
      }
    });
    this.every(1000, () => s.write(encodeKeepalive()));
  }

  /** The peer stops reading: nothing more leaves the kernel's receive buffer. */
  stopReading(): void {
    this.paused = true;
    this.socket?.pause();
  }

  /** A ROUTE-REFRESH (IPv4 unicast) every `ms`. */
  refreshEvery(ms: number): void {
    const rr = encodeRouteRefresh({ afi: AFI_IPV4, safi: SAFI_UNICAST, subtype: RouteRefreshSubtype.Normal });
    this.every(ms, () => this.socket?.write(rr));
  }

  private every(ms: number, fn: () => void): void {
    this.timers.push(setInterval(fn, ms));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.socket?.destroy();
    for (const s of this.extra) s.destroy();
    this.server?.close();
  }
}
