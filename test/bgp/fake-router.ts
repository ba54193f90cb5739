/**
 * A scripted BGP router for tests: listens on loopback, answers an OPEN with its own
 * OPEN + KEEPALIVE, records every decoded message, and lets the test send raw bytes.
 */
import net from 'node:net';
import {
  type Capability,
  decodeMessage,
  encodeKeepalive,
  encodeOpen,
  Framer,
  type Message,
  openFor,
  WireError,
} from '../../agent/bgp/wire/index.ts';

export interface FakeRouterOptions {
  asn: number;
  routerId?: string;
  holdTime?: number;
  capabilities?: Capability[];
  /** Do not answer the OPEN (to script the exchange by hand). */
  manual?: boolean;
  address?: string;
}

export class FakeRouter {
  readonly received: Message[] = [];
  readonly errors: WireError[] = [];
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  socket: net.Socket | undefined;
  connections = 0;
  closed = 0;

  constructor(private o: FakeRouterOptions) {
    this.server = net.createServer((s) => this.onConnection(s));
  }

  static readonly FULL_CAPS: Capability[] = [
    { code: 1, afi: 1, safi: 1 },
    { code: 1, afi: 2, safi: 1 },
    { code: 2 },
    { code: 6 },
    {
      code: 64,
      restarting: false,
      notification: false,
      restartTime: 120,
      families: [{ afi: 1, safi: 1, forwarding: false }],
    },
  ];

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.server.listen(0, this.o.address ?? '127.0.0.1', () =>
        resolve((this.server.address() as net.AddressInfo).port),
      ),
    );
  }

  private onConnection(s: net.Socket): void {
    this.connections++;
    this.sockets.add(s);
    this.socket = s;
    const framer = new Framer(65535);
    s.on('data', (d: Buffer) => {
      try {
        for (const m of framer.push(new Uint8Array(d))) {
          const msg = decodeMessage(m, { as4: true, maxLength: 65535 });
          this.received.push(msg);
          if (msg.type === 'open' && !this.o.manual) {
            const caps = [
              ...(this.o.capabilities ?? FakeRouter.FULL_CAPS),
              { code: 65 as const, asn: this.o.asn },
            ];
            s.write(
              encodeOpen(openFor(this.o.asn, this.o.holdTime ?? 90, this.o.routerId ?? '10.255.0.1', caps)),
            );
            s.write(encodeKeepalive());
          }
        }
      } catch (e) {
        if (e instanceof WireError) this.errors.push(e);
        else throw e;
      }
    });
    s.on('error', () => {});
    s.on('close', () => {
      this.closed++;
      this.sockets.delete(s);
    });
  }

  send(b: Uint8Array): void {
    this.socket?.write(b);
  }

  of<T extends Message['type']>(type: T): Extract<Message, { type: T }>[] {
    return this.received.filter((m): m is Extract<Message, { type: T }> => m.type === type);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await Bun.sleep(5);
  }
}
