/**
 * SHELL. One TCP connection for a BGP session, on node:net (Bun): dial with an optional
 * local address, TTL, GTSM and TCP-MD5 (raw fd via bun:ffi, adopted with net.connect({fd})),
 * and a write queue that honours backpressure (write() false -> wait for 'drain').
 */
import net from 'node:net';
import { type Clock, monotonicNow, systemClock, type Timer } from '../lib/clock.ts';
import { errnoText } from './errno-text.ts';
import { closeFd, connectStatus, rawConnect, sendQueueBytes } from './socket-ffi.ts';
import type { BgpConnection, ConnectionHandlers, Dial, DialOptions } from './transport.ts';

export type { ConnectionHandlers, DialOptions } from './transport.ts';

/**
 * Socket housekeeping (the end grace, the connect poll) runs on real time whatever clock the
 * session uses: it waits for the kernel, not for the protocol. The session's clock only stamps
 * blockedSince (monotonic time: a step of the wall clock does not move it), which the RFC 9687
 * send-hold check compares with its own monotonic now.
 */
const io: Clock = systemClock;

/** Grace for a half-closed socket to deliver its last bytes before it is destroyed. */
const END_GRACE_MS = 2000;
/** How often a raw non-blocking connect is polled. */
const CONNECT_POLL_MS = 20;

export class Connection implements BgpConnection {
  private queue: Uint8Array[] = [];
  private writable = true;
  private done = false;
  private handlers: ConnectionHandlers | undefined;
  /** Bytes waiting in our queue (not yet handed to the socket). */
  queuedBytes = 0;
  /** When the socket last refused more data, monotonic (cleared on drain): RFC 9687 send hold. */
  blockedSince: number | undefined;
  /** Resolves once the socket is fully closed. */
  readonly closed: Promise<void>;

  constructor(
    readonly socket: net.Socket,
    readonly outgoing: boolean,
    private readonly clock: Clock = systemClock,
  ) {
    socket.setNoDelay(true);
    this.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.ready = !outgoing;
    socket.on('connect', () => this.markConnected());
    socket.on('data', (d: Buffer) => {
      // Bun may deliver the first bytes before 'connect': they prove the connection is up.
      if (!this.ready) this.markConnected();
      this.handlers?.data(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    });
    socket.on('drain', () => {
      this.writable = true;
      this.blockedSince = undefined;
      this.flush();
      if (this.canWrite) this.handlers?.drain?.();
    });
    socket.on('error', (e: Error) => this.finish(e));
    socket.on('close', () => this.finish());
  }

  private ready: boolean;

  attach(h: ConnectionHandlers): void {
    this.handlers = h;
  }

  /** Fires handlers.connected once (outgoing connections). */
  markConnected(): void {
    if (this.ready) return;
    this.ready = true;
    this.handlers?.connected();
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  /**
   * Our queue + the runtime's buffer (writableLength) + the kernel's unacknowledged bytes
   * (SIOCOUTQ on the socket's fd; Bun keeps it as _handle.fd, pinned by
   * test/bgp/send-queue.test.ts). undefined when the fd cannot be read.
   */
  unacknowledgedBytes(): number | undefined {
    const fd = (this.socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
    if (typeof fd !== 'number' || fd < 0) return undefined;
    const kernel = sendQueueBytes(fd);
    return kernel === undefined ? undefined : this.queuedBytes + this.socket.writableLength + kernel;
  }
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get canWrite(): boolean {
    return !this.done && this.writable && this.queue.length === 0;
  }

  write(b: Uint8Array): void {
    if (this.done) return;
    if (this.writable && this.queue.length === 0) {
      this.writable = this.socket.write(b);
      if (!this.writable) this.blockedSince ??= monotonicNow(this.clock);
      return;
    }
    this.queue.push(b);
    this.queuedBytes += b.length;
  }

  private flush(): void {
    while (this.writable && this.queue.length && !this.done) {
      const b = this.queue.shift()!;
      this.queuedBytes -= b.length;
      this.writable = this.socket.write(b);
    }
    if (!this.writable) this.blockedSince ??= monotonicNow(this.clock);
  }

  /** Half-close after queued data (a NOTIFICATION is delivered before FIN), then destroy shortly. */
  end(): void {
    if (this.done) return;
    this.done = true;
    const rest = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const b of rest) this.socket.write(b);
    this.socket.end();
    const t = io.setTimer(END_GRACE_MS, () => this.socket.destroy());
    this.socket.once('close', () => t.cancel());
    this.handlers = undefined;
  }

  /** Abort without flushing (keep mode: no NOTIFICATION). */
  destroy(): void {
    this.done = true;
    this.queue = [];
    this.socket.destroy();
    this.handlers = undefined;
  }

  private finish(e?: Error): void {
    const h = this.handlers;
    this.handlers = undefined;
    this.done = true;
    h?.closed(e);
  }
}

function family(host: string): 4 | 6 {
  return host.includes(':') ? 6 : 4;
}

/** Dials with no handlers attached yet; a dial that throws (a socket option refused) is the Error. */
export function dialPeer(d: Dial, o: DialOptions, warn: (msg: string) => void): BgpConnection | Error {
  try {
    return d(o, { connected: () => {}, data: () => {}, closed: () => {} }, warn);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Dials over TCP on the given clock (the RFC 9687 send-hold check reads it). */
export function tcpDial(clock: Clock): Dial {
  return (o, h, warn) => dial(o, h, warn, clock);
}

export function dial(
  o: DialOptions,
  h: ConnectionHandlers,
  log?: (msg: string) => void,
  clock: Clock = systemClock,
): Connection | RawDial {
  if (o.password || o.minTtl !== undefined) return new RawDial(o, h, clock);
  if (o.ttl !== undefined) {
    // The eBGP TTL alone is not worth failing a session for: without bun:ffi, dial plainly.
    try {
      return new RawDial(o, h, clock);
    } catch (e) {
      log?.(`TTL ${o.ttl} not applied (${(e as Error).message}); connecting without it`);
    }
  }
  const socket = net.connect({
    host: o.host,
    port: o.port,
    ...(o.localAddress ? { localAddress: o.localAddress } : {}),
  });
  const conn = new Connection(socket, true, clock);
  conn.attach(h);
  return conn;
}

/**
 * A connect that needs socket options before the SYN: raw fd from bun:ffi, non-blocking
 * connect polled every 20 ms (bounded by the FSM's ConnectRetryTimer, which destroys it),
 * then adopted with net.connect({fd}) once connected.
 */
export class RawDial implements BgpConnection {
  readonly outgoing = true;
  private fd: number | undefined;
  private timer: Timer | undefined;
  private conn: Connection | undefined;
  private handlers: ConnectionHandlers | undefined;
  private pendingWrites: Uint8Array[] = [];

  constructor(
    o: DialOptions,
    h: ConnectionHandlers,
    private readonly clock: Clock = systemClock,
  ) {
    this.handlers = h;
    this.fd = rawConnect({
      family: family(o.host),
      peer: o.host,
      port: o.port,
      ...(o.password ? { md5: [{ peer: o.host, key: o.password }] } : {}),
      ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
      ...(o.minTtl !== undefined ? { minTtl: o.minTtl } : {}),
      ...(o.localAddress ? { local: { address: o.localAddress, port: 0 } } : {}),
    });
    this.timer = io.setTimer(0, () => this.poll());
  }

  private poll(): void {
    if (this.fd === undefined) return;
    const st = connectStatus(this.fd);
    if (st === 'pending') {
      this.timer = io.setTimer(CONNECT_POLL_MS, () => this.poll());
      return;
    }
    if (st !== 'connected') {
      closeFd(this.fd);
      this.fd = undefined;
      const h = this.handlers;
      this.handlers = undefined;
      h?.closed(new Error(`connect failed: ${errnoText(st)}`));
      return;
    }
    const socket = net.connect({ fd: this.fd } as net.NetConnectOpts);
    this.fd = undefined;
    this.conn = new Connection(socket, true, this.clock);
    const h = this.handlers!;
    this.conn.attach(h);
    this.conn.markConnected();
    for (const b of this.pendingWrites) this.conn.write(b);
    this.pendingWrites = [];
  }

  attach(h: ConnectionHandlers): void {
    if (this.conn) this.conn.attach(h);
    else this.handlers = h;
  }
  get localAddress(): string | undefined {
    return this.conn?.localAddress;
  }
  get remoteAddress(): string | undefined {
    return this.conn?.remoteAddress;
  }
  get queuedBytes(): number {
    return this.conn?.queuedBytes ?? 0;
  }
  get canWrite(): boolean {
    return this.conn?.canWrite ?? false;
  }
  /** The adopted socket's unacknowledged bytes (connection.ts); before it, what waits to be written. */
  unacknowledgedBytes(): number | undefined {
    return this.conn ? this.conn.unacknowledgedBytes() : this.pendingWrites.reduce((n, b) => n + b.length, 0);
  }
  write(b: Uint8Array): void {
    if (this.conn) this.conn.write(b);
    else this.pendingWrites.push(b);
  }
  private abort(): void {
    this.timer?.cancel();
    if (this.fd !== undefined) closeFd(this.fd);
    this.fd = undefined;
    this.handlers = undefined;
  }
  get closed(): Promise<void> {
    return this.conn?.closed ?? Promise.resolve();
  }
  get blockedSince(): number | undefined {
    return this.conn?.blockedSince;
  }
  end(): void {
    if (this.conn) this.conn.end();
    else this.abort();
  }
  destroy(): void {
    if (this.conn) this.conn.destroy();
    else this.abort();
  }
}

export type AnyConnection = Connection | RawDial;
