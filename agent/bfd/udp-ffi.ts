/**
 * SHELL. Non-blocking UDP sockets through bun:ffi for what Bun.udpSocket cannot do: read
 * the received TTL / Hop Limit (IP_RECVTTL / IPV6_RECVHOPLIMIT, RFC 5881 §5) and the
 * destination address and interface of each datagram (IP_PKTINFO / IPV6_RECVPKTINFO) and
 * its arrival time (SO_TIMESTAMP) from recvmsg()'s control messages. Every call is non-blocking (SOCK_NONBLOCK + MSG_DONTWAIT):
 * nothing here ever blocks the event loop. Linux only; struct layouts are the LP64
 * (x86_64/arm64) glibc ones, as in agent/bgp/socket-ffi.ts.
 */
import { ptr } from 'bun:ffi';
import {
  AF_INET,
  AF_INET6,
  EADDRINUSE,
  EAGAIN,
  errno,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_UNICAST_HOPS,
  int,
  libc,
  MSG_DONTWAIT,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  SyscallError,
} from '../lib/libc.ts';
import { type Family, formatIP, ipFromBytes, ipToBytes, parseIP } from '../net/ip.ts';

const IP_PKTINFO = 8;
const IP_RECVTTL = 12;
const IPV6_V6ONLY = 26;
const IPV6_RECVPKTINFO = 49;
const IPV6_PKTINFO = 50;
const IPV6_RECVHOPLIMIT = 51;
const IPV6_HOPLIMIT = 52;
/** SO_TIMESTAMP (= SCM_TIMESTAMP): a struct timeval of 2 × 64 bits on LP64. */
const SO_TIMESTAMP = 29;
const MS_PER_S = 1000;
const US_PER_MS = 1000;

const SOCKADDR_IN6_LEN = 28;
const MAX_CACHED_DESTINATIONS = 4096;
/** Recent IPv6 source/destination addresses kept as text (a node has a handful of BFD peers). */
const MAX_CACHED_SOURCES = 32;
const EMSGSIZE = 90;
const MSGHDR_LEN = 56;
const IOVEC_LEN = 16;
const CMSG_HDR_LEN = 16;
const CONTROL_LEN = 128;
/** BFD packets are small; anything longer is truncated (and then fails the length check). */
const RECV_BUFFER_LEN = 512;

function sameBytes(a: Uint8Array, b: Uint8Array, off: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[off + i]) return false;
  return true;
}

/** Failures carry the step and errno (agent/lib/libc.ts). */
export { SyscallError as UdpFfiError };

/** A byte array whose storage never moves (see UdpSocket's buffers). */
const stable = (n: number) => new Uint8Array(new ArrayBuffer(n));

function sockaddr(family: Family, address: string | undefined, port: number): Uint8Array {
  const b = stable(family === 6 ? SOCKADDR_IN6_LEN : 16);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, family === 6 ? AF_INET6 : AF_INET, true);
  dv.setUint16(2, port, false);
  if (address !== undefined) {
    const r = parseIP(address);
    if (!r.ok || r.value.family !== family) throw new Error(`invalid IPv${family} address ${address}`);
    b.set(ipToBytes(r.value), family === 6 ? 8 : 4);
  }
  return b;
}

export interface UdpOptions {
  family: Family;
  /** Local port (0: any). */
  port: number;
  /** Local address (default: the wildcard). */
  address?: string;
  /** Outgoing TTL / Hop Limit. */
  ttl?: number;
  /** Ask for TTL and destination address of received datagrams. */
  receiveInfo?: boolean;
  /** Ask for the kernel's arrival time of received datagrams (SO_TIMESTAMP). */
  timestamps?: boolean;
}

export interface Datagram {
  bytes: Uint8Array;
  peer: string;
  peerPort: number;
  /** Destination address of the datagram (IP_PKTINFO), '' if unknown. */
  local: string;
  ifindex: number;
  /** Received TTL / Hop Limit, -1 if the kernel did not say. */
  ttl: number;
  /** When the kernel received it (ms since the epoch, like Date.now()); undefined if it did not say. */
  receivedAt?: number;
}

/** One non-blocking datagram socket. */
export class UdpSocket {
  readonly fd: number;
  readonly family: Family;
  private closed = false;
  // recvmsg buffers, allocated once; msghdr/iovec hold pointers into them. Each is backed by
  // its own ArrayBuffer from the start: reading `.buffer` of a plain `new Uint8Array(n)` later
  // moves its storage in JavaScriptCore, and the kernel would go on writing to the old place.
  private readonly buf = stable(RECV_BUFFER_LEN);
  private readonly name = stable(SOCKADDR_IN6_LEN);
  private readonly control = stable(CONTROL_LEN);
  private readonly iov = stable(IOVEC_LEN);
  private readonly msg = stable(MSGHDR_LEN);
  private readonly nameView = new DataView(this.name.buffer);
  /** struct sockaddr and its pointer per port and destination (a session sends to one peer several times a second). */
  private readonly destinations = new Map<number, Map<string, { sa: Uint8Array; at: number }>>();
  private destinationCount = 0;
  /** Text form of recent IPv6 addresses (formatting one is not free), compared byte by byte. */
  private readonly sources: { raw: Uint8Array; text: string }[] = [];
  /** Outgoing datagrams are copied here: one pointer, taken once, for every send. */
  private readonly sendBuf = stable(RECV_BUFFER_LEN);
  private readonly sendPtr = ptr(this.sendBuf);
  private readonly msgPtr = ptr(this.msg);
  private readonly controlView = new DataView(this.control.buffer);
  private readonly msgView = new DataView(this.msg.buffer);

  private constructor(fd: number, family: Family) {
    this.fd = fd;
    this.family = family;
    const iv = new DataView(this.iov.buffer);
    iv.setBigUint64(0, BigInt(ptr(this.buf)), true);
    iv.setBigUint64(8, BigInt(this.buf.length), true);
    this.msgView.setBigUint64(0, BigInt(ptr(this.name)), true);
    this.msgView.setBigUint64(16, BigInt(ptr(this.iov)), true);
    this.msgView.setBigUint64(24, 1n, true);
    this.msgView.setBigUint64(32, BigInt(ptr(this.control)), true);
  }

  static open(o: UdpOptions): UdpSocket {
    const fd = libc().socket(
      o.family === 6 ? AF_INET6 : AF_INET,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0,
    );
    if (fd < 0) throw new SyscallError('socket', errno());
    const set = (level: number, name: number, v: number, what: string) => {
      const b = int(v);
      if (libc().setsockopt(fd, level, name, ptr(b), b.length) !== 0)
        throw new SyscallError(`setsockopt ${what}`, errno());
    };
    try {
      if (o.family === 6) set(IPPROTO_IPV6, IPV6_V6ONLY, 1, 'IPV6_V6ONLY');
      // No SO_REUSEADDR: on UDP it would let a second BFD daemon bind the same port and
      // silently take part of the packets; a conflict must fail loudly (EADDRINUSE).
      if (o.ttl !== undefined) {
        if (o.family === 6) set(IPPROTO_IPV6, IPV6_UNICAST_HOPS, o.ttl, 'IPV6_UNICAST_HOPS');
        else set(IPPROTO_IP, IP_TTL, o.ttl, 'IP_TTL');
      }
      if (o.receiveInfo) {
        if (o.family === 6) {
          set(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, 'IPV6_RECVHOPLIMIT');
          set(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, 'IPV6_RECVPKTINFO');
        } else {
          set(IPPROTO_IP, IP_RECVTTL, 1, 'IP_RECVTTL');
          set(IPPROTO_IP, IP_PKTINFO, 1, 'IP_PKTINFO');
        }
      }
      if (o.timestamps) set(SOL_SOCKET, SO_TIMESTAMP, 1, 'SO_TIMESTAMP');
      const sa = sockaddr(o.family, o.address, o.port);
      if (libc().bind(fd, ptr(sa), sa.length) !== 0) throw new SyscallError(`bind port ${o.port}`, errno());
    } catch (e) {
      libc().close(fd);
      throw e;
    }
    return new UdpSocket(fd, o.family);
  }

  /**
   * Binds a socket to a random free port in [low, high] (RFC 5881 §4: 49152–65535), trying
   * at most `attempts` ports.
   */
  static openInRange(
    o: Omit<UdpOptions, 'port'>,
    low: number,
    high: number,
    random: () => number,
    attempts = 64,
  ): UdpSocket {
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      const port = low + Math.floor(random() * (high - low + 1));
      try {
        return UdpSocket.open({ ...o, port });
      } catch (e) {
        if (!(e instanceof SyscallError && e.errno === EADDRINUSE)) throw e;
        last = e;
      }
    }
    throw last ?? new Error('no free port');
  }

  /** One pending datagram, or undefined when none is queued (never blocks). */
  receive(): Datagram | undefined {
    if (this.closed) return undefined;
    this.msgView.setUint32(8, this.name.length, true);
    // msg_controllen (size_t) as two 32-bit halves: no BigInt per packet.
    this.msgView.setUint32(40, this.control.length, true);
    this.msgView.setUint32(44, 0, true);
    this.msgView.setInt32(48, 0, true);
    const n = Number(libc().recvmsg(this.fd, this.msgPtr, MSG_DONTWAIT));
    if (n < 0) {
      const e = errno();
      if (e === EAGAIN) return undefined;
      throw new SyscallError('recvmsg', e);
    }
    const nv = this.nameView;
    const peer = this.address(this.name, this.family === 6 ? 8 : 4, this.family);
    const d: Datagram = {
      bytes: this.buf.slice(0, Math.min(n, this.buf.length)),
      peer,
      peerPort: nv.getUint16(2, false),
      local: '',
      ifindex: 0,
      ttl: -1,
    };
    this.parseControl(d);
    return d;
  }

  /** Canonical text of the address at buf[off...] (IPv6: cached; the cache is bounded). */
  private address(buf: Uint8Array, off: number, family: Family): string {
    if (family === 4) return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
    for (const c of this.sources) if (sameBytes(c.raw, buf, off)) return c.text;
    const raw = buf.slice(off, off + 16);
    const text = formatIP(ipFromBytes(raw, 6));
    if (this.sources.length >= MAX_CACHED_SOURCES) this.sources.shift();
    this.sources.push({ raw, text });
    return text;
  }

  private parseControl(d: Datagram): void {
    const len = this.msgView.getUint32(40, true);
    const cv = this.controlView;
    for (let off = 0; off + CMSG_HDR_LEN <= len; ) {
      const cmsgLen = cv.getUint32(off, true) + cv.getUint32(off + 4, true) * 0x100000000;
      if (cmsgLen < CMSG_HDR_LEN || off + cmsgLen > len) break;
      const level = cv.getInt32(off + 8, true);
      const type = cv.getInt32(off + 12, true);
      const data = off + CMSG_HDR_LEN;
      if (level === IPPROTO_IP && type === IP_TTL) d.ttl = cv.getInt32(data, true);
      else if (level === SOL_SOCKET && type === SO_TIMESTAMP)
        // struct timeval { time_t tv_sec; suseconds_t tv_usec; } (low 32 bits suffice for each until 2106)
        d.receivedAt = cv.getUint32(data, true) * MS_PER_S + cv.getUint32(data + 8, true) / US_PER_MS;
      else if (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT) d.ttl = cv.getInt32(data, true);
      else if (level === IPPROTO_IP && type === IP_PKTINFO) {
        // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }
        d.ifindex = cv.getInt32(data, true);
        d.local = this.address(this.control, data + 8, 4);
      } else if (level === IPPROTO_IPV6 && type === IPV6_PKTINFO) {
        // struct in6_pktinfo { in6_addr ipi6_addr; unsigned ipi6_ifindex; }
        d.local = this.address(this.control, data, 6);
        d.ifindex = cv.getInt32(data + 16, true);
      }
      off += (cmsgLen + 7) & ~7;
    }
  }

  /** Sends one datagram; returns 0 or the errno (a full buffer or an unreachable peer is not fatal). */
  send(bytes: Uint8Array, address: string, port: number): number {
    if (this.closed) return -1;
    if (bytes.length > this.sendBuf.length) return EMSGSIZE;
    let byAddress = this.destinations.get(port);
    if (!byAddress) {
      byAddress = new Map();
      this.destinations.set(port, byAddress);
    }
    let d = byAddress.get(address);
    if (!d) {
      const sa = sockaddr(this.family, address, port);
      if (this.destinationCount >= MAX_CACHED_DESTINATIONS) {
        for (const m of this.destinations.values()) m.clear();
        this.destinationCount = 0;
      }
      d = { sa, at: ptr(sa) };
      byAddress.set(address, d);
      this.destinationCount++;
    }
    this.sendBuf.set(bytes);
    const n = Number(libc().sendto(this.fd, this.sendPtr, bytes.length, MSG_DONTWAIT, d.at, d.sa.length));
    return n < 0 ? errno() : 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    libc().close(this.fd);
  }
}
