/**
 * An in-memory BgpConnection pair: what one end writes, the other receives in a later
 * microtask, in order; end() closes both ends after the queued data. No sockets, no timers.
 */
import type { BgpConnection, ConnectionHandlers } from '../../agent/bgp/transport.ts';

export class PipeEnd implements BgpConnection {
  private handlers: ConnectionHandlers | undefined;
  peer!: PipeEnd;
  private done = false;
  private resolveClosed!: () => void;
  readonly closed = new Promise<void>((r) => {
    this.resolveClosed = r;
  });
  queuedBytes = 0;
  /** Set by a test to play a peer that stopped reading (RFC 9687), or by stall(): monotonic time. */
  blockedSince: number | undefined;
  /** While stalled: what the far end has not read (a kernel buffer of `room` bytes, then blocked). */
  private held: Uint8Array[] | undefined;
  private room = 0;
  private now: () => number = () => 0;
  /** Bytes written in total (what the far end read or will read). */
  written = 0;

  constructor(
    readonly outgoing: boolean,
    readonly localAddress: string,
    readonly remoteAddress: string,
  ) {}

  attach(h: ConnectionHandlers): void {
    this.handlers = h;
  }

  /** Fires connected (the dialling end, once the peer "accepted"). */
  connect(): void {
    queueMicrotask(() => {
      if (!this.done) this.handlers?.connected();
    });
  }

  get canWrite(): boolean {
    return !this.done && this.blockedSince === undefined;
  }

  /** The far end stops reading: `room` more bytes fit (the socket buffers), then writes block. */
  stall(room: number, now: () => number): void {
    this.held = [];
    this.room = room;
    this.now = now;
  }

  /** The far end reads again: what was held arrives, and the writer gets its drain. */
  resume(): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.queuedBytes = 0;
    this.blockedSince = undefined;
    for (const b of held) queueMicrotask(() => this.peer.receive(b));
    queueMicrotask(() => this.handlers?.drain?.());
  }

  write(b: Uint8Array): void {
    if (this.done) return;
    const copy = b.slice();
    this.written += copy.length;
    if (this.held) {
      this.held.push(copy);
      this.queuedBytes += copy.length;
      if (this.queuedBytes > this.room) this.blockedSince ??= this.now();
      return;
    }
    queueMicrotask(() => this.peer.receive(copy));
  }

  private receive(b: Uint8Array): void {
    if (!this.done) this.handlers?.data(b);
  }

  end(): void {
    if (this.done) return;
    // After the data already queued (microtasks run in order).
    queueMicrotask(() => {
      this.finish();
      this.peer.finish();
    });
    this.done = true;
    this.handlers = undefined;
  }

  destroy(): void {
    this.finish();
    queueMicrotask(() => this.peer.finish());
  }

  private finish(): void {
    const h = this.handlers;
    this.handlers = undefined;
    this.done = true;
    h?.closed();
    this.resolveClosed();
  }
}

/** [the dialling end, the accepting end]. */
export function pipe(local = '192.0.2.10', remote = '192.0.2.1'): [PipeEnd, PipeEnd] {
  const a = new PipeEnd(true, local, remote);
  const b = new PipeEnd(false, remote, local);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
