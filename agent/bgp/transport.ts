/**
 * The connection a session drives, as an interface: the TCP one (connection.ts) and the
 * in-memory pipe of the tests implement it, so a session runs the same over either.
 */

export interface DialOptions {
  host: string;
  port: number;
  localAddress?: string;
  ttl?: number;
  minTtl?: number;
  password?: string;
}

export interface ConnectionHandlers {
  connected(): void;
  data(chunk: Uint8Array): void;
  /** Connection gone (error, peer close, or local close). Called once. */
  closed(error?: Error): void;
  /** The socket took what was waiting and can take more (after canWrite was false). */
  drain?(): void;
}

export interface BgpConnection {
  /** We initiated it (dial) rather than accepted it. */
  readonly outgoing: boolean;
  readonly localAddress: string | undefined;
  readonly remoteAddress: string | undefined;
  /** Bytes waiting in our queue (not yet handed to the socket). */
  readonly queuedBytes: number;
  /** When the socket last refused more data, on the clock's monotonic time (cleared on drain): RFC 9687 send hold. */
  readonly blockedSince: number | undefined;
  /**
   * Bytes written that the peer's TCP has not acknowledged yet (our queue, the runtime's buffer
   * and the kernel's send queue); undefined when it cannot be told. Absent: queuedBytes is all.
   */
  unacknowledgedBytes?(): number | undefined;
  /** Resolves once the connection is fully closed. */
  readonly closed: Promise<void>;
  /**
   * The socket takes more data now without buffering it in user space: the session encodes
   * UPDATEs only while this is true and waits for handlers.drain otherwise.
   */
  readonly canWrite: boolean;
  attach(h: ConnectionHandlers): void;
  write(b: Uint8Array): void;
  /** Half-close after queued data (a NOTIFICATION is delivered before FIN). */
  end(): void;
  /** Abort without flushing. */
  destroy(): void;
}

/** Opens an outgoing connection; `warn` reports a socket option that could not be applied. */
export type Dial = (o: DialOptions, h: ConnectionHandlers, warn: (msg: string) => void) => BgpConnection;
