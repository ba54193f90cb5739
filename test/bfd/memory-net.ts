/**
 * An in-memory network for BfdManager tests on a FakeClock: hosts by address, a link that
 * can be cut, a fixed latency, and optionally packets held in the "kernel queue" until the
 * manager drains (to test that a Detection Time expiry reads pending packets first).
 */
import type { BfdDatagram, BfdTransport, TransportFactory } from '../../agent/bfd/transport.ts';
import type { Clock } from '../../agent/lib/clock.ts';

interface Host {
  address: string;
  onDatagram?: (d: BfdDatagram) => void;
  queue: BfdDatagram[];
}

export class MemoryNet {
  private readonly hosts = new Map<string, Host>();
  up = true;
  /** Packets stay queued until the receiver drains (no background delivery). */
  holdUntilDrain = false;
  /** Last busy flag each host's manager gave its transport. */
  readonly busy = new Map<string, boolean>();
  /** Every packet sent, for assertions. */
  readonly sent: { from: string; to: string; bytes: Uint8Array; at: number }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly latencyMs = 1,
  ) {}

  /** A transport for the host with this address. */
  transport(address: string): TransportFactory {
    return (onDatagram) => {
      const host: Host = { address, onDatagram, queue: [] };
      this.hosts.set(address, host);
      const t: BfdTransport = {
        listen() {},
        send: (bytes, peer, _family, multihop) => {
          this.sent.push({ from: address, to: peer, bytes, at: this.clock.now() });
          if (!this.up) return false;
          const d: BfdDatagram = {
            bytes,
            peer: address,
            peerPort: 49152,
            local: peer,
            ifindex: 1,
            ttl: 255,
            multihop,
          };
          this.clock.setTimer(this.latencyMs, () => {
            const to = this.hosts.get(peer);
            if (!to) return;
            to.queue.push(d);
            if (!this.holdUntilDrain) this.flush(to);
          });
          return true;
        },
        drain: () => this.flush(host),
        setBusy: (b) => {
          this.busy.set(address, b);
        },
        close: () => this.hosts.delete(address),
      };
      return t;
    };
  }

  /** Hands a datagram to a host as if the kernel had queued it. */
  inject(to: string, d: BfdDatagram): void {
    const h = this.hosts.get(to);
    h?.queue.push(d);
    if (h && !this.holdUntilDrain) this.flush(h);
  }

  private flush(h: Host): void {
    const q = h.queue.splice(0);
    for (const d of q) h.onDatagram?.(d);
  }
}
