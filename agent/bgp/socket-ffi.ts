/**
 * SHELL. Raw sockets through bun:ffi for what Bun's TCP API cannot do before the SYN:
 * TCP-MD5 (RFC 2385, setsockopt TCP_MD5SIG), the outgoing TTL (eBGP single hop / GTSM,
 * RFC 5082) and IP_MINTTL. The fd is then adopted with net.connect({fd}) or
 * server.listen({fd}) (verified on Bun 1.4.4; pinned by test/bgp/session-md5.test.ts).
 * Linux only; the struct layouts are x86_64/arm64 glibc.
 */
import { ptr } from 'bun:ffi';
import {
  AF_INET,
  AF_INET6,
  EINPROGRESS,
  errno,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_UNICAST_HOPS,
  int,
  libc,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
} from '../lib/libc.ts';
import { errnoText } from './errno-text.ts';
import { parseAddress } from './wire/address.ts';

const SO_REUSEADDR = 2;
const IP_MINTTL = 21;
const IPV6_MINHOPCOUNT = 73;
const TCP_MD5SIG = 14;

/** struct sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes). */
export function sockaddr(ip: string, port: number): Uint8Array {
  const a = parseAddress(ip);
  if (!a) throw new Error(`invalid address ${ip}`);
  if (a.afi === 1) {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, AF_INET, true);
    dv.setUint16(2, port, false);
    b.set(a.bytes, 4);
    return b;
  }
  const b = new Uint8Array(28);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_INET6, true);
  dv.setUint16(2, port, false);
  b.set(a.bytes, 8);
  return b;
}

/** struct tcp_md5sig (216 bytes): key for one peer address. An empty key removes it. */
export function tcpMd5sig(peer: string, key: string): Uint8Array {
  const k = new TextEncoder().encode(key);
  if (k.length > 80) throw new Error('TCP-MD5 key longer than 80 bytes');
  const b = new Uint8Array(216);
  b.set(sockaddr(peer, 0), 0);
  new DataView(b.buffer).setUint16(130, k.length, true);
  b.set(k, 136);
  return b;
}

function setopt(fd: number, level: number, name: number, value: Uint8Array, what: string): void {
  if (libc().setsockopt(fd, level, name, ptr(value), value.length) !== 0)
    throw new Error(`setsockopt ${what} failed (errno ${errno()})`);
}

export interface RawSocketOptions {
  family: 4 | 6;
  /** TCP-MD5 keys by peer address. */
  md5?: { peer: string; key: string }[];
  /** Outgoing TTL / hop limit. */
  ttl?: number;
  /** Minimum incoming TTL (GTSM). */
  minTtl?: number;
  local?: { address: string; port: number };
}

function rawSocket(o: RawSocketOptions): number {
  const fam = o.family === 6 ? AF_INET6 : AF_INET;
  const fd = libc().socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`socket() failed (errno ${errno()})`);
  try {
    for (const m of o.md5 ?? []) setopt(fd, IPPROTO_TCP, TCP_MD5SIG, tcpMd5sig(m.peer, m.key), 'TCP_MD5SIG');
    if (o.ttl !== undefined)
      setopt(
        fd,
        o.family === 6 ? IPPROTO_IPV6 : IPPROTO_IP,
        o.family === 6 ? IPV6_UNICAST_HOPS : IP_TTL,
        int(o.ttl),
        'TTL',
      );
    if (o.minTtl !== undefined)
      setopt(
        fd,
        o.family === 6 ? IPPROTO_IPV6 : IPPROTO_IP,
        o.family === 6 ? IPV6_MINHOPCOUNT : IP_MINTTL,
        int(o.minTtl),
        'MINTTL',
      );
    if (o.local) {
      if (o.local.port) setopt(fd, SOL_SOCKET, SO_REUSEADDR, int(1), 'SO_REUSEADDR');
      const sa = sockaddr(o.local.address, o.local.port);
      if (libc().bind(fd, ptr(sa), sa.length) !== 0)
        throw new Error(`bind ${o.local.address} failed (errno ${errno()})`);
    }
    return fd;
  } catch (e) {
    libc().close(fd);
    throw e;
  }
}

/** A non-blocking socket with options set and connect() started; adopt it with net.connect({fd}). */
export function rawConnect(o: RawSocketOptions & { peer: string; port: number }): number {
  const fd = rawSocket(o);
  const sa = sockaddr(o.peer, o.port);
  if (libc().connect(fd, ptr(sa), sa.length) !== 0) {
    const e = errno();
    if (e !== EINPROGRESS) {
      libc().close(fd);
      throw new Error(`connect ${o.peer}:${o.port} failed: ${errnoText(e)}`);
    }
  }
  return fd;
}

const SO_ERROR = 4;
const POLLOUT = 4;

/**
 * State of a non-blocking connect: 'pending', 'connected', or the errno it failed with.
 * Polled from a short timer by the caller (never blocks).
 */
export function connectStatus(fd: number): 'pending' | 'connected' | number {
  const pfd = new Uint8Array(8);
  const dv = new DataView(pfd.buffer);
  dv.setInt32(0, fd, true);
  dv.setInt16(4, POLLOUT, true);
  const n = libc().poll(ptr(pfd), 1, 0);
  if (n < 0) return errno();
  if (n === 0) return 'pending';
  const err = new Uint8Array(4);
  const len = new Uint8Array(new Uint32Array([4]).buffer);
  if (libc().getsockopt(fd, SOL_SOCKET, SO_ERROR, ptr(err), ptr(len)) !== 0) return errno();
  const e = new DataView(err.buffer).getInt32(0, true);
  return e === 0 ? 'connected' : e;
}

/** A listening socket with MD5 keys / MINTTL; adopt it with server.listen({fd}). */
export function rawListen(o: RawSocketOptions & { local: { address: string; port: number } }): number {
  const fd = rawSocket(o);
  if (libc().listen(fd, 64) !== 0) {
    const e = errno();
    libc().close(fd);
    throw new Error(`listen failed (errno ${e})`);
  }
  return fd;
}

/** Adds or removes (empty key) a TCP-MD5 key on an existing socket (a listener). */
export function setMd5Key(fd: number, peer: string, key: string): void {
  setopt(fd, IPPROTO_TCP, TCP_MD5SIG, tcpMd5sig(peer, key), 'TCP_MD5SIG');
}

/** Sets the outgoing TTL / hop limit and the minimum incoming one on an existing socket. */
export function setTtl(fd: number, family: 4 | 6, ttl: number, minTtl: number): void {
  const level = family === 6 ? IPPROTO_IPV6 : IPPROTO_IP;
  setopt(fd, level, family === 6 ? IPV6_UNICAST_HOPS : IP_TTL, int(ttl), 'TTL');
  setopt(fd, level, family === 6 ? IPV6_MINHOPCOUNT : IP_MINTTL, int(minTtl), 'MINTTL');
}

export function closeFd(fd: number): void {
  libc().close(fd);
}

/** SIOCOUTQ (= TIOCOUTQ, linux/sockios.h): bytes in a TCP socket's send queue not yet acknowledged by the peer. */
const SIOCOUTQ = 0x5411;

/**
 * Bytes this TCP socket has sent or queued that the peer has not acknowledged yet (SIOCOUTQ);
 * undefined when the kernel refuses (the fd is gone). 0 means every byte written reached the peer's TCP.
 */
export function sendQueueBytes(fd: number): number | undefined {
  const out = new Int32Array(1);
  if (libc().ioctl(fd, SIOCOUTQ, ptr(out)) !== 0) return undefined;
  return out[0];
}
