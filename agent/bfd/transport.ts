/**
 * SHELL. Where BFD packets go in and out. The manager talks to a BfdTransport; the real one
 * is UDP through bun:ffi (RFC 5881 single hop on 3784, RFC 5883 multihop on 4784), tests
 * may pass an in-memory one. One receive socket per port and family, opened on first use,
 * and one send socket per family bound to a port in 49152–65535, so each session's source
 * port is constant (RFC 5881 §4). Sends use TTL/Hop Limit 255 (RFC 5881 §5, RFC 5883 §5).
 *
 * Receiving never blocks: sockets are non-blocking and drained from the event loop, each
 * drain one recvmsg per socket that returns EAGAIN when idle. While some session is coming
 * up or polling (quick handshakes and Final replies) a timer drains every DRAIN_INTERVAL_MS;
 * once every session is Up and steady the transport has no timer of its own: the manager's
 * timer wheel drains before each of its ticks (at least every MAX_RECEIVE_DELAY_MS, in
 * practice at each batch of transmissions), and always before acting on a Detection Time
 * expiry, so a late read can never cause a false Down. Each datagram carries the kernel's
 * arrival time (SO_TIMESTAMP), and that is what restarts the Detection Time: reading later
 * does not make detection later. Timer wake-ups are most of an idle process's CPU (measured
 * by test/bench/bfd-idle.bench.ts).
 */
import type { Clock, Timer } from '../lib/clock.ts';
import type { Family } from '../net/ip.ts';
import { type Datagram, UdpSocket } from './udp-ffi.ts';

export const SINGLE_HOP_PORT = 3784;
export const MULTIHOP_PORT = 4784;
export const SOURCE_PORT_MIN = 49152;
export const SOURCE_PORT_MAX = 65535;
export const TRANSMIT_TTL = 255;
/** Receive polling period while a session is coming up or polling. */
export const DRAIN_INTERVAL_MS = 20;
/** The longest a received packet waits in the kernel when every session is steady (the wheel's bound). */
export const MAX_RECEIVE_DELAY_MS = 1000;
/** Bound on datagrams read per socket per drain (a flood cannot starve the event loop). */
const MAX_PER_DRAIN = 256;

export interface BfdDatagram extends Datagram {
  multihop: boolean;
}

export interface BfdTransport {
  /** Opens (once) the receive socket for a family and mode. */
  listen(family: Family, multihop: boolean): void;
  /** Sends one packet to the peer's BFD port; false if the kernel refused it. */
  send(bytes: Uint8Array, peer: string, family: Family, multihop: boolean): boolean;
  /** Reads every queued datagram now. */
  drain(): void;
  /** Busy: some session needs prompt replies (not Up, or polling); drain at the short period. Else no timer. */
  setBusy(busy: boolean): void;
  close(): void;
}

export type TransportFactory = (onDatagram: (d: BfdDatagram) => void) => BfdTransport;

export interface UdpTransportOptions {
  clock: Clock;
  random: () => number;
  drainIntervalMs?: number;
  /** Also drain on a timer when steady, at this period (default: never, the wheel's ticks drain). */
  idleDrainIntervalMs?: number;
  /** Reported once per socket error (the transport keeps going). */
  onError?: (err: unknown) => void;
}

export function udpTransport(o: UdpTransportOptions): TransportFactory {
  return (onDatagram) => {
    const receivers = new Map<string, { socket: UdpSocket; multihop: boolean }>();
    const senders = new Map<Family, UdpSocket>();
    let timer: Timer | undefined;
    let closed = false;
    const busyInterval = o.drainIntervalMs ?? DRAIN_INTERVAL_MS;
    const idleInterval =
      o.idleDrainIntervalMs === undefined ? undefined : Math.max(busyInterval, o.idleDrainIntervalMs);
    let busy = true;

    const drain = () => {
      for (const r of receivers.values()) {
        for (let i = 0; i < MAX_PER_DRAIN; i++) {
          let d: Datagram | undefined;
          try {
            d = r.socket.receive();
          } catch (err) {
            o.onError?.(err);
            break;
          }
          if (!d) break;
          (d as BfdDatagram).multihop = r.multihop;
          onDatagram(d as BfdDatagram);
        }
      }
    };
    const tick = () => {
      timer = undefined;
      drain();
      schedule();
    };
    const schedule = () => {
      const period = busy ? busyInterval : idleInterval;
      if (closed || receivers.size === 0 || period === undefined) return;
      timer = o.clock.setTimer(period, tick);
    };
    const sender = (family: Family) => {
      let s = senders.get(family);
      if (!s) {
        s = UdpSocket.openInRange({ family, ttl: TRANSMIT_TTL }, SOURCE_PORT_MIN, SOURCE_PORT_MAX, o.random);
        senders.set(family, s);
      }
      return s;
    };

    return {
      listen(family, multihop) {
        const key = `${family}/${multihop}`;
        if (closed || receivers.has(key)) return;
        const socket = UdpSocket.open({
          family,
          port: multihop ? MULTIHOP_PORT : SINGLE_HOP_PORT,
          receiveInfo: true,
          timestamps: true,
          ttl: TRANSMIT_TTL,
        });
        receivers.set(key, { socket, multihop });
        if (!timer) schedule();
      },
      send(bytes, peer, family, multihop) {
        if (closed) return false;
        return sender(family).send(bytes, peer, multihop ? MULTIHOP_PORT : SINGLE_HOP_PORT) === 0;
      },
      drain,
      setBusy(b) {
        if (b === busy) return;
        busy = b;
        // Going busy: do not wait out a long idle period; going steady: the wheel drains.
        timer?.cancel();
        timer = undefined;
        schedule();
      },
      close() {
        closed = true;
        timer?.cancel();
        for (const r of receivers.values()) r.socket.close();
        for (const s of senders.values()) s.close();
        receivers.clear();
        senders.clear();
      },
    };
  };
}
