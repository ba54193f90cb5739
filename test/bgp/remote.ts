/** The peer's side of a session under test, over any BgpConnection: decodes what it receives, sends raw bytes. */
import type { BgpConnection } from '../../agent/bgp/transport.ts';
import { decodeMessage, Framer, MAX_EXTENDED_MESSAGE, type Message } from '../../agent/bgp/wire/index.ts';

export class Remote {
  readonly received: Message[] = [];
  private read = 0;
  private waiters: (() => void)[] = [];
  isClosed = false;
  readonly closed: Promise<void>;

  constructor(readonly conn: BgpConnection) {
    const framer = new Framer(MAX_EXTENDED_MESSAGE);
    let resolveClosed!: () => void;
    this.closed = new Promise((r) => {
      resolveClosed = r;
    });
    conn.attach({
      connected: () => {},
      data: (d) => {
        for (const m of framer.push(d))
          this.received.push(decodeMessage(m, { as4: true, maxLength: MAX_EXTENDED_MESSAGE }));
        this.wake();
      },
      closed: () => {
        this.isClosed = true;
        resolveClosed();
        this.wake();
      },
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next message of `type` not yet taken (earlier ones of other types are skipped). */
  async next<T extends Message['type']>(type: T): Promise<Extract<Message, { type: T }>> {
    for (let guard = 0; guard < 10_000; guard++) {
      while (this.read < this.received.length) {
        const m = this.received[this.read++]!;
        if (m.type === type) return m as Extract<Message, { type: T }>;
      }
      if (this.isClosed) throw new Error(`closed before a ${type}; got ${this.received.map((m) => m.type)}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
    throw new Error(`no ${type}`);
  }

  send(b: Uint8Array): void {
    this.conn.write(b);
  }
}
